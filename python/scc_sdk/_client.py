"""``Client`` and ``AsyncClient``: the seed's client on the Rust SDK."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, Type, TypeVar, Union
from urllib.parse import urlencode, urlsplit

from . import _habitat, _native
from ._resources import (
    _through_verbs,
    AsyncGroupsResource,
    AsyncOrganizationsResource,
    AsyncRolesResource,
    AsyncSubscriptionsResource,
    AsyncTokensResource,
    AsyncUsersResource,
    GroupsResource,
    OrganizationsResource,
    RolesResource,
    SubscriptionsResource,
    TokensResource,
    UsersResource,
)
from .exceptions import InvalidInputError, InvalidResponseError, SCCError

# The defaults are the Rust SDK's (one place for each).
_DEFAULTS = _native.defaults()
DEFAULT_BASE_URL: str = _DEFAULTS["base_url"]
DEFAULT_BASE_PATH: str = _DEFAULTS["base_path"]
#: Seconds one attempt may take (30).
DEFAULT_TIMEOUT: float = _DEFAULTS["timeout"]
#: Extra attempts after a failure that is safe to retry (2: three attempts in all).
DEFAULT_RETRIES: int = _DEFAULTS["max_attempts"] - 1
#: The first and the longest wait between attempts, seconds (0.5 and 20).
DEFAULT_RETRY_BACKOFF: float = _DEFAULTS["initial_backoff"]
DEFAULT_RETRY_MAX_BACKOFF: float = _DEFAULTS["max_backoff"]
#: The largest answer body read (64 MiB); a longer one raises ``APIError`` instead of filling memory.
DEFAULT_MAX_RESPONSE_BYTES: int = _DEFAULTS["max_response_bytes"]

TokenStore = Union[str, "os.PathLike[str]", Callable[[Dict[str, Any]], None]]
#: ``timeout`` as ``requests`` takes it: seconds per attempt, ``(connect, read)``, or None (no limit).
Timeout = Union[float, Tuple[float, float], None]
#: ``verify`` as ``requests`` takes it: True (the platform's CAs, and the bundle named by
#: ``SCC_CA_BUNDLE``, ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE`` or ``SSL_CERT_FILE``) or a CA bundle path.
Verify = Union[bool, str, "os.PathLike[str]"]

#: Environment variables naming a CA bundle, in the order they are read (``requests``' own first).
CA_BUNDLE_VARIABLES = ("SCC_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")

class _StubRoutes(threading.local):
    """Where clients made with the default base URL go on this thread: the service, or the
    ``scc_sdk.testing.Stub`` opened on this thread that routes them to itself while it runs. Per
    thread, so a stub in one test never catches (and records the token of) a client another thread
    makes for the real service."""

    def __init__(self) -> None:
        self.urls: List[str] = []


_stub_routes = _StubRoutes()


_C = TypeVar("_C", bound="_Base")

_LOGGER = logging.getLogger("scc_sdk")
_debug_logging: Dict[str, bool] = {}


def _follow_log_level() -> None:
    """Tells the native core whether the ``scc_sdk`` logger wants DEBUG records, so that otherwise
    they are dropped at the source (``isEnabledFor`` is cached by ``logging``: cheap per call)."""
    enabled = _LOGGER.isEnabledFor(logging.DEBUG)
    if _debug_logging.get("enabled") is not enabled:
        _native.set_debug_logging(enabled)
        _debug_logging["enabled"] = enabled


def _decode(reply: Tuple[Any, ...]) -> Any:
    """The body of a reply: decoded by the native core, or, where it left the bytes, by ``json``; a
    body that is not JSON (a captive portal's page) is an ``InvalidResponseError``, an ``SCCError``."""
    body = reply[1]
    if type(body) is not bytes:
        return body
    try:
        return json.loads(body)
    except ValueError as error:
        text = body.decode("utf-8", "replace")
        raise InvalidResponseError(
            f"the answer (status {reply[0]}) is not JSON: {error}; it starts with {text[:80]!r}",
            reply[0], response={}, http_headers=[], http_body=text) from error


def _hooked(hooks: Dict[str, List[Callable[[Dict[str, Any]], Any]]], operation: str,
            args: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The event of a call about to be sent, handed to the request hooks; None when there are no hooks
    (then nothing is computed)."""
    if not hooks.get("request") and not hooks.get("response"):
        return None
    method: Optional[str] = None
    url: Optional[str] = None
    try:
        planned = json.loads(_native.plan(operation, args))
        planned = planned.get("request") or planned
        method, url = planned.get("method"), planned.get("url")
    except (SCCError, ValueError, AttributeError):
        pass  # a call of several requests has no one method and URL
    event: Dict[str, Any] = {"operation": operation, "method": method, "url": url, "started": time.monotonic()}
    for hook in hooks.get("request", []):
        hook({key: value for key, value in event.items() if key != "started"})
    return event


def _answered(hooks: Dict[str, List[Callable[[Dict[str, Any]], Any]]], event: Dict[str, Any],
              reply: Optional[Tuple[Any, ...]], error: Optional[BaseException]) -> None:
    """Hands the response hooks what became of the call: status, elapsed, size, tracking id, error."""
    answered = {key: value for key, value in event.items() if key != "started"}
    answered["elapsed"] = time.monotonic() - event["started"]
    answered["status"] = reply[0] if reply is not None else getattr(error, "status_code", None)
    answered["size"] = reply[3] if reply is not None and len(reply) > 3 else None
    answered["tracking_id"] = getattr(error, "tracking_id", None)
    answered["error"] = error
    for hook in hooks.get("response", []):
        hook(answered)


def _endpoint(endpoint: str, params: Optional[Mapping[str, Any]]) -> str:
    endpoint = endpoint.lstrip("/")
    if params:
        kept = {key: value for key, value in params.items() if value is not None}
        if kept:
            endpoint += ("&" if "?" in endpoint else "?") + urlencode(kept, doseq=True)
    return endpoint


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {value!r}")
    if not value > 0:
        raise ValueError(f"{name} must be more than zero seconds, not {value!r}")
    return float(value)


def _timeouts(timeout: Timeout) -> Tuple[Optional[float], Optional[float]]:
    """``(per attempt, connect)`` from ``requests``' forms: a number, ``(connect, read)`` or None."""
    if timeout is None:
        return None, None
    if isinstance(timeout, tuple):
        if len(timeout) != 2:
            raise TypeError(f"timeout must be seconds, (connect, read) or None, not {timeout!r}")
        connect, read = timeout
        return (None if read is None else _seconds("timeout (read)", read),
                None if connect is None else _seconds("timeout (connect)", connect))
    return _seconds("timeout", timeout), None


def _ca_bundle(verify: Verify, ca_bundle: Optional[Union[str, "os.PathLike[str]"]]) -> Optional[str]:
    """The CA bundle to trust besides the platform's: ``ca_bundle``, a path given as ``verify``, or
    the first CA variable set, as ``requests`` reads them."""
    if verify is False:
        raise ValueError("verify=False is not offered: certificate checks stay on. Give the CA that signs the "
                         "server's certificate instead: ca_bundle='/path/to/ca.pem' (or REQUESTS_CA_BUNDLE)")
    if verify is not True:
        if ca_bundle is not None:
            raise TypeError("give the CA bundle once: verify='/path/ca.pem' or ca_bundle='/path/ca.pem'")
        ca_bundle = verify
    if ca_bundle is not None:
        return os.fspath(ca_bundle)
    for name in CA_BUNDLE_VARIABLES:
        value = os.environ.get(name)
        if value:
            return value
    return None


def _base_url_and_path(base_url: Optional[str], base_path: str) -> Tuple[str, str]:
    """The seed writes ``Client(token, base_url, base_path)``, cisco-scc-sdk 1.0.6 ``Client(token,
    base_path, base_url)``: a value with ``://`` is the URL, whichever position it holds."""
    if base_url is not None and "://" not in base_url and "://" in base_path:
        base_url, base_path = base_path, base_url
    elif base_url is not None and "://" not in base_url:
        raise InvalidInputError(
            f"invalid input: `base_url` {base_url!r} is not a URL: write Client(access_token, "
            "base_url='https://...', base_path='v1') (or 1.0.6's order, Client(access_token, base_path, base_url))",
            field="base_url")
    # The default URL, left out or written out, goes to this thread's stub while one runs.
    if base_url is None or (_stub_routes.urls and base_url.rstrip("/") == DEFAULT_BASE_URL.rstrip("/")):
        base_url = _stub_routes.urls[-1] if _stub_routes.urls else DEFAULT_BASE_URL
    return base_url, base_path


class _Base:
    _native: Any
    #: Marks the SDK's own clients (a resource hands other objects the request through their verbs).
    _scc_native_client = True

    def __init__(self, access_token: str, base_url: Optional[str] = None, base_path: str = DEFAULT_BASE_PATH,
                 timeout: Timeout = DEFAULT_TIMEOUT, *, deadline: Optional[float] = None, verify: Verify = True,
                 ca_bundle: Optional[Union[str, "os.PathLike[str]"]] = None, retries: int = DEFAULT_RETRIES,
                 retry_backoff: float = DEFAULT_RETRY_BACKOFF, retry_max_backoff: float = DEFAULT_RETRY_MAX_BACKOFF,
                 rate_limit: Optional[float] = None,
                 rate_limit_burst: int = 1, max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
                 insecure_http: bool = False) -> None:
        self._setup(access_token, base_url, base_path, timeout, deadline=deadline, verify=verify,
                    ca_bundle=ca_bundle, retries=retries, retry_backoff=retry_backoff,
                    retry_max_backoff=retry_max_backoff, rate_limit=rate_limit, rate_limit_burst=rate_limit_burst,
                    max_response_bytes=max_response_bytes, insecure_http=insecure_http)

    @classmethod
    def from_credentials(cls: Type[_C], org_id: str, api_key_id: str, access_token: str, refresh_token: str,
                         token_store: Optional[TokenStore] = None, *, base_url: Optional[str] = None,
                         base_path: str = DEFAULT_BASE_PATH, timeout: Timeout = DEFAULT_TIMEOUT,
                         deadline: Optional[float] = None, verify: Verify = True,
                         ca_bundle: Optional[Union[str, "os.PathLike[str]"]] = None, retries: int = DEFAULT_RETRIES,
                         retry_backoff: float = DEFAULT_RETRY_BACKOFF,
                         retry_max_backoff: float = DEFAULT_RETRY_MAX_BACKOFF,
                         rate_limit: Optional[float] = None, rate_limit_burst: int = 1,
                         max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, insecure_http: bool = False) -> _C:
        """A client that refreshes its access token itself (before it expires and after a 401, once for
        all threads) and hands every rotated pair to ``token_store``.

        Args:
            org_id: the organization of the API key.
            api_key_id: the API key's UUID.
            access_token: the current access token.
            refresh_token: the current refresh token (single use: each refresh rotates it).
            token_store: where each rotated pair goes before the request is replayed: a file path
                (written 0600, atomically) or a callable receiving a dict.
            base_url, base_path, timeout, deadline, verify, ca_bundle, retries, retry_backoff,
            retry_max_backoff, rate_limit, rate_limit_burst, max_response_bytes, insecure_http: as for
                the client.

        Returns:
            The client.
        """
        client = cls.__new__(cls)
        client._setup(None, base_url, base_path, timeout, deadline=deadline, verify=verify, ca_bundle=ca_bundle,
                      retries=retries, retry_backoff=retry_backoff, retry_max_backoff=retry_max_backoff,
                      rate_limit=rate_limit, rate_limit_burst=rate_limit_burst,
                      credentials={"org_id": org_id, "api_key_id": api_key_id, "access_token": access_token,
                                   "refresh_token": refresh_token},
                      token_store=token_store, max_response_bytes=max_response_bytes, insecure_http=insecure_http)
        return client

    def _setup(self, access_token: Optional[str], base_url: Optional[str], base_path: str, timeout: Timeout, *,
               deadline: Optional[float], verify: Verify, ca_bundle: Optional[Union[str, "os.PathLike[str]"]],
               retries: int, retry_backoff: float, retry_max_backoff: float, rate_limit: Optional[float],
               rate_limit_burst: int, credentials: Optional[Dict[str, str]] = None,
               token_store: Optional[TokenStore] = None,
               max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, insecure_http: bool = False) -> None:
        self._native = None
        if credentials is None and not access_token:
            raise ValueError("access_token is required")
        if token_store is not None and not callable(token_store):
            token_store = os.fspath(token_store)
        base_url, base_path = _base_url_and_path(base_url, base_path)
        # Every setting as given, so that a setting changed later, a reopened client and an unpickled
        # one are built the same way.
        self._settings: Dict[str, Any] = {
            "access_token": access_token, "base_url": base_url, "base_path": base_path, "timeout": timeout,
            "deadline": deadline, "ca_bundle": _ca_bundle(verify, ca_bundle), "retries": retries,
            "retry_backoff": retry_backoff, "retry_max_backoff": retry_max_backoff, "rate_limit": rate_limit,
            "rate_limit_burst": rate_limit_burst, "credentials": credentials, "token_store": token_store,
            "max_response_bytes": max_response_bytes, "insecure_http": insecure_http}
        self._token = access_token
        #: Functions called around each call, as ``requests.Session.hooks``: ``"request"`` ones with
        #: ``{"operation", "method", "url"}`` before it is sent, ``"response"`` ones with those and
        #: ``"status"``, ``"elapsed"`` (seconds), ``"size"`` (bytes), ``"tracking_id"`` and ``"error"``
        #: after it. Never the token. ``client.hooks["response"].append(record_metrics)``.
        self.hooks: Dict[str, List[Callable[[Dict[str, Any]], Any]]] = {"request": [], "response": []}
        self._native = self._build(self._settings)
        self._resources()

    @staticmethod
    def _build(settings: Dict[str, Any]) -> Any:
        """The native client for these settings (checked here, whenever they are given or changed)."""
        max_response_bytes, retries = settings["max_response_bytes"], settings["retries"]
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or max_response_bytes <= 0:
            raise ValueError("max_response_bytes must be a whole number of bytes, more than zero")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError("retries must be a whole number, 0 or more (0 turns retries off)")
        per_attempt, connect = _timeouts(settings["timeout"])
        deadline = settings["deadline"]
        if deadline is None and per_attempt is not None:
            # As with requests, the timeout the caller gave bounds the call they made: retries and
            # their waits fit inside it (a `deadline` given says otherwise: then `timeout` is per attempt).
            deadline = per_attempt + (connect or 0.0)
        return _native.NativeClient(
            settings["access_token"], settings["base_url"], settings["base_path"], per_attempt,
            connect_timeout=connect, deadline=None if deadline is None else _seconds("deadline", deadline),
            ca_bundle=settings["ca_bundle"], max_attempts=retries + 1,
            initial_backoff=settings["retry_backoff"], max_backoff=settings["retry_max_backoff"],
            rate_limit=settings["rate_limit"], rate_burst=settings["rate_limit_burst"],
            credentials=settings["credentials"], token_store=settings["token_store"],
            max_response_bytes=max_response_bytes, insecure_http=settings["insecure_http"])

    def _change(self, **changes: Any) -> None:
        """Takes new settings: the next call uses them (the client is rebuilt with them; the current
        token pair of a refreshing client is kept). Nothing changes if they are refused."""
        settings = {**self._newest_settings(), **changes}
        native = self._build(settings)
        self._settings, self._native = settings, native

    def _newest_settings(self) -> Dict[str, Any]:
        """The settings, with the token pair a refreshing client holds now (it rotates them)."""
        settings = dict(self._settings)
        current = self._native.current_credentials() if self._native is not None else None
        if settings["credentials"] is not None and current is not None:
            settings["credentials"] = {**settings["credentials"], **current}
        return settings

    @property
    def base_url(self) -> str:
        """The base URL joined with the base path, e.g. ``https://api.security.cisco.com/v1``. Set it
        (as 1.0.6 allowed) to send the next call to another server: the same checks apply."""
        root: str = self._native.api_root if self._native is not None else self._root()
        return root

    @base_url.setter
    def base_url(self, value: str) -> None:
        if not isinstance(value, str) or "://" not in value:
            raise InvalidInputError(f"invalid input: `base_url` {value!r} is not a URL", field="base_url")
        parts = urlsplit(value.rstrip("/"))
        self._change(base_url=f"{parts.scheme}://{parts.netloc}", base_path=parts.path.strip("/"))

    def _root(self) -> str:
        base_url, base_path = self._settings["base_url"], self._settings["base_path"]
        return f"{base_url.rstrip('/')}/{base_path.strip('/')}".rstrip("/")

    @property
    def timeout(self) -> Timeout:
        """Seconds per attempt as given (each retry has its own; ``deadline`` bounds the whole call).
        Set it to change the next call's."""
        timeout: Timeout = self._settings["timeout"]
        return timeout

    @timeout.setter
    def timeout(self, value: Timeout) -> None:
        self._change(timeout=value)

    @property
    def deadline(self) -> Optional[float]:
        """Seconds a whole call may take, retries included (None: no limit beyond the attempts')."""
        deadline: Optional[float] = self._settings["deadline"]
        return deadline

    @deadline.setter
    def deadline(self, value: Optional[float]) -> None:
        self._change(deadline=value)

    @property
    def max_retries(self) -> int:
        """Extra attempts after a failure that is safe to retry (the ``retries`` given)."""
        retries: int = self._settings["retries"]
        return retries

    @max_retries.setter
    def max_retries(self, value: int) -> None:
        self._change(retries=value)

    retries = max_retries

    @property
    def base_path(self) -> str:
        """The API version path (``v1``)."""
        base_path: str = self._settings["base_path"]
        return base_path

    @base_path.setter
    def base_path(self, value: str) -> None:
        self._change(base_path=value)

    def __getstate__(self) -> Dict[str, Any]:
        """A client pickles as its settings and credentials (the pickle holds the token: treat it as
        the token); the other process builds its own connections."""
        settings = self._newest_settings()
        return {"settings": settings, "token": self.access_token if settings["credentials"] is None else None}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._native = None
        self.hooks = {"request": [], "response": []}
        self._settings = state["settings"]
        self._token = state["token"]
        self._native = self._build(self._settings)
        self._resources()

    def _resources(self) -> None:
        raise NotImplementedError

    @property
    def access_token(self) -> str:
        """The access token in use (after a refresh, the new one)."""
        current = self._native.current_credentials() if self._native is not None else None
        if current is None and self._settings["credentials"] is not None:
            current = self._settings["credentials"]
        if current is not None:
            token: str = current["access_token"]
            return token
        return self._token or ""

    @access_token.setter
    def access_token(self, token: str) -> None:
        if self._settings["credentials"] is not None:
            raise AttributeError(
                "this client refreshes its own access token (Client.from_credentials): make a new client "
                "with the new credentials instead of setting access_token")
        if not isinstance(token, str) or not token:
            raise ValueError("access_token is required")
        self._change(access_token=token)
        self._token = token

    @property
    def refresh_count(self) -> int:
        """How many times this client refreshed its access token."""
        count: int = self._native.refresh_count if self._native is not None else 0
        return count

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, timeout={self.timeout!r})"

    def _native_client(self) -> Any:
        if self._native is None:
            # Closed: reopened for this call, as requests.Session does (with the newest token pair).
            self._native = self._build(self._settings)
        # Sockets blocked by the test (pytest-socket): refused as cisco-scc-sdk's call was, before any
        # native connection.
        if _habitat.sockets_replaced():
            refusal = _habitat.socket_refusal(self.base_url)
            if refusal is not None:
                raise refusal
        _follow_log_level()
        return self._native

    @property
    def _session(self) -> Any:
        """The ``requests.Session`` cisco-scc-sdk 1.0.6 sent through. Calls go through it (as 1.0.6
        sent them) while ``requests`` is mocked or once a test sets it (``client._session = Mock()``);
        otherwise they go through the native core."""
        session = self.__dict__.get("_requests_session")
        if session is None:
            session = _habitat._import_requests().Session()
            self.__dict__["_requests_session"] = session
        return session

    @_session.setter
    def _session(self, session: Any) -> None:
        self.__dict__["_requests_session"] = session
        self.__dict__["_session_set"] = True

    def _through_requests(self) -> bool:
        """True when this call must go through ``requests`` (a test mocked it, or set ``_session``)."""
        return False

    def close(self) -> None:
        """Release the connections. A later call opens new ones, as ``requests.Session`` does."""
        self._settings = self._newest_settings()
        self._native = None

    def _raw(self, method: str, endpoint: str, params: Optional[Mapping[str, Any]] = None,
             json: Any = None, data: Any = None, headers: Any = None) -> Any:
        if data is not None:
            raise InvalidInputError("invalid input: `data` form bodies are not sent by the raw helpers; "
                                    "use client.tokens.refresh() for the token endpoint", field="data")
        if headers:
            raise InvalidInputError("invalid input: `headers` cannot be set on a request: the SDK sets "
                                    "Authorization, Accept and Content-Type itself", field="headers")
        if self._through_requests():
            verbs = _habitat.RequestsVerbs(self)
            if method == "GET":
                return verbs.get(endpoint, dict(params) if params else None)
            if method == "DELETE":
                return verbs.delete(endpoint)
            return getattr(verbs, method.lower())(_endpoint(endpoint, params), json=json)
        return self._send_native("request", {"method": method, "endpoint": _endpoint(endpoint, params),
                                             "json": json})

    def _send(self, operation: str, args: Dict[str, Any], post: Optional[Callable[[Any], Any]] = None) -> Any:
        """A resource's call: sent by the native core, or, when a test replaced this client's
        ``get``/``post``/``put``/``patch``/``delete``, handed to them as cisco-scc-sdk 1.0.6 did."""
        if self._verbs_replaced():
            return _through_verbs(self, operation, args, post)
        if self._through_requests():
            return _through_verbs(_habitat.RequestsVerbs(self), operation, args, post)
        return self._send_native(operation, args, post)

    def _send_native(self, operation: str, args: Dict[str, Any],
                     post: Optional[Callable[[Any], Any]] = None) -> Any:
        raise NotImplementedError

    #: This class's own verbs, to see when a test replaced one (on the instance or on the class).
    _own_verbs: Tuple[Any, ...] = ()

    def _verbs_replaced(self) -> bool:
        if _VERBS & self.__dict__.keys():
            return True
        cls = type(self)
        return (cls.get, cls.post, cls.put, cls.patch, cls.delete) != self._own_verbs  # type: ignore[attr-defined]


_VERBS = frozenset({"get", "post", "put", "patch", "delete"})


class Client(_Base):
    """Client for the Cisco Security Cloud Control API.

    Args:
        access_token: the bearer token.
        base_url: the server (default ``https://api.security.cisco.com``; inside a running
            ``scc_sdk.testing.Stub``, the stub). cisco-scc-sdk 1.0.6's positional order
            ``Client(token, base_path, base_url)`` is read too: the value with ``://`` is the URL.
        base_path: the API version path (default ``v1``).
        timeout: seconds the call may take (default 30), as ``requests`` takes it: a number, ``(connect,
            read)``, or None for no limit. Retries and their waits fit inside it, as the one attempt of
            cisco-scc-sdk did; with ``deadline`` given, ``timeout`` is per attempt instead.
        deadline: seconds the whole call may take, retries and their waits included, each attempt
            limited by ``timeout`` (default: ``timeout``). When it passes the call raises ``APITimeoutError``.
        verify: True (default): the platform's CAs, plus the bundle named by ``SCC_CA_BUNDLE``,
            ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE`` or ``SSL_CERT_FILE`` (the first set); or the path
            of a CA bundle, as ``requests`` takes it. ``False`` is refused: give the CA instead.
        ca_bundle: a PEM file of CA certificates to trust besides the platform's (a company's TLS
            inspection CA). Proxies come from ``HTTPS_PROXY`` / ``NO_PROXY``, as with ``requests``.
        retries: extra attempts after a failure that is safe to retry (default 2; 0 turns retries
            off). Writes that may have reached the server are never repeated; a refused certificate
            or an unknown host is not retried.
        retry_backoff, retry_max_backoff: the first and the largest wait between attempts, seconds.
        max_response_bytes: the largest answer body read (default 64 MiB); reading stops there and the
            call raises ``SCCError``.
        rate_limit: at most this many requests per second from this client (off by default).
        rate_limit_burst: requests allowed at once before ``rate_limit`` applies (default 1).

    Raises:
        ValueError: ``access_token`` is empty, or a setting is out of range.
        TypeError: a setting of the wrong type.
        InvalidInputError: ``base_url`` is not an http(s) URL, or ``ca_bundle`` cannot be read.

    Example:
        >>> client = Client(access_token="your_bearer_token")
        >>> orgs = client.organizations.list()
    """

    def _resources(self) -> None:
        self.organizations = OrganizationsResource(self)
        self.subscriptions = SubscriptionsResource(self)
        self.groups = GroupsResource(self)
        self.users = UsersResource(self)
        self.roles = RolesResource(self)
        self.tokens = TokensResource(self)

    def _send_native(self, operation: str, args: Dict[str, Any],
                     post: Optional[Callable[[Any], Any]] = None) -> Any:
        native = self._native_client()
        event = _hooked(self.hooks, operation, args)
        try:
            wait = _habitat.cooperative_wait()
            if wait is not None and hasattr(native, "start"):
                # gevent / eventlet: the hub waits for the call's descriptor, other greenlets run.
                started = native.start(operation, args)
                wait(started.fileno())
                reply = started.result()
            else:
                reply = native.call(operation, args)
        except SCCError as error:
            if event is not None:
                _answered(self.hooks, event, None, error)
            raise
        if event is not None:
            _answered(self.hooks, event, reply, None)
        body = _decode(reply)
        return post(body) if post is not None else body

    def _through_requests(self) -> bool:
        return bool(self.__dict__.get("_session_set")) or _habitat.requests_mocked()

    def get(self, endpoint: str, params: Optional[Dict[str, Any]] = None) -> Any:
        """GET any endpoint below the base path (the escape hatch), through the same retries and errors.

        Args:
            endpoint: the path below the base path, e.g. ``organizations/org-uuid/users``.
            params: query parameters (``None`` values are left out).

        Returns:
            The decoded JSON answer (``{}`` for an empty body).

        Raises:
            SCCError: its subclass for the failure, as for every resource method.
        """
        return self._raw("GET", endpoint, params)

    def post(self, endpoint: str, json: Any = None, data: Any = None, headers: Any = None) -> Any:
        """POST a JSON body to any endpoint below the base path (never retried once it may have arrived).

        Args:
            endpoint: the path below the base path.
            json: the JSON body.
            data, headers: refused with an ``InvalidInputError`` (the SDK sets the headers and sends
                JSON; ``client.tokens.refresh`` sends the token endpoint's form).

        Returns:
            The decoded JSON answer.

        Raises:
            SCCError: its subclass for the failure, as for every resource method.
        """
        return self._raw("POST", endpoint, json=json, data=data, headers=headers)

    def put(self, endpoint: str, json: Any = None) -> Any:
        """PUT a JSON body to any endpoint below the base path.

        Args:
            endpoint: the path below the base path.
            json: the JSON body.

        Returns:
            The decoded JSON answer.

        Raises:
            SCCError: its subclass for the failure, as for every resource method.
        """
        return self._raw("PUT", endpoint, json=json)

    def patch(self, endpoint: str, json: Any = None) -> Any:
        """PATCH a JSON body to any endpoint below the base path (never retried once it may have arrived).

        Args:
            endpoint: the path below the base path.
            json: the JSON body.

        Returns:
            The decoded JSON answer.

        Raises:
            SCCError: its subclass for the failure, as for every resource method.
        """
        return self._raw("PATCH", endpoint, json=json)

    def delete(self, endpoint: str) -> Any:
        """DELETE any endpoint below the base path.

        Args:
            endpoint: the path below the base path.

        Returns:
            The decoded JSON answer (``{}`` for 204).

        Raises:
            SCCError: its subclass for the failure, as for every resource method.
        """
        return self._raw("DELETE", endpoint)

    def iter_organizations(self, name: Optional[str] = None, type: Optional[str] = None,
                           region_code: Optional[str] = None, country_code: Optional[str] = None,
                           manager_org_id: Optional[str] = None, max: int = 100, sort_by: Optional[str] = None,
                           order: Optional[str] = None) -> Iterator[Dict[str, Any]]:
        """Every organization, page after page, fetched as the loop asks for them.

        Args:
            name, type, region_code, country_code, manager_org_id, sort_by, order: the filters of
                ``organizations.list``.
            max: organizations per page (1 to 500, default 100).

        Returns:
            An iterator of organizations.

        Raises:
            The errors of ``organizations.list``, when the page that holds the next item is read.
        """
        return self._iterate("organizations.list", "organizations", {
            "name": name, "type": type, "region_code": region_code, "country_code": country_code,
            "manager_org_id": manager_org_id, "max": max, "sort_by": sort_by, "order": order})

    def iter_groups(self, org_id: str, max: Optional[int] = None) -> Iterator[Dict[str, Any]]:
        """Every admin group of an organization, page after page.

        Args:
            org_id: the organization's UUID.
            max: groups per page (1 to 500).

        Returns:
            An iterator of groups.
        """
        return self._iterate("groups.list", "groups", {"org_id": org_id, "max": max})

    def _iterate(self, operation: str, key: str, args: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        seen = set()
        while True:
            reply = self._native_client().call(operation, args)
            yield from _decode(reply).get(key, [])
            cursor = reply[2]
            if not cursor:
                return
            if cursor in seen:
                raise SCCError(f"the service returned the cursor {cursor!r} twice; stopping to avoid a loop")
            seen.add(cursor)
            args = {**args, "cursor": cursor}

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class AsyncClient(_Base):
    """The same API as :class:`Client` for asyncio: every method returns an awaitable.

    Example:
        >>> async with AsyncClient(access_token="token") as client:
        ...     orgs = await client.organizations.list()
    """

    def _resources(self) -> None:
        self.organizations = AsyncOrganizationsResource(self)
        self.subscriptions = AsyncSubscriptionsResource(self)
        self.groups = AsyncGroupsResource(self)
        self.users = AsyncUsersResource(self)
        self.roles = AsyncRolesResource(self)
        self.tokens = AsyncTokensResource(self)

    def _send_native(self, operation: str, args: Dict[str, Any],
                     post: Optional[Callable[[Any], Any]] = None) -> Any:
        async def run() -> Any:
            event = _hooked(self.hooks, operation, args)
            outcome = await self._native_client().call_async(operation, args)
            if isinstance(outcome, BaseException):
                if event is not None:
                    _answered(self.hooks, event, None, outcome)
                raise outcome
            if event is not None:
                _answered(self.hooks, event, outcome, None)
            body = _decode(outcome)
            return post(body) if post is not None else body

        return run()

    async def get(self, endpoint: str, params: Optional[Dict[str, Any]] = None) -> Any:
        """See :meth:`Client.get`."""
        return await self._raw("GET", endpoint, params)

    async def post(self, endpoint: str, json: Any = None, data: Any = None, headers: Any = None) -> Any:
        """See :meth:`Client.post`."""
        return await self._raw("POST", endpoint, json=json, data=data, headers=headers)

    async def put(self, endpoint: str, json: Any = None) -> Any:
        """See :meth:`Client.put`."""
        return await self._raw("PUT", endpoint, json=json)

    async def patch(self, endpoint: str, json: Any = None) -> Any:
        """See :meth:`Client.patch`."""
        return await self._raw("PATCH", endpoint, json=json)

    async def delete(self, endpoint: str) -> Any:
        """See :meth:`Client.delete`."""
        return await self._raw("DELETE", endpoint)

    def iter_organizations(self, name: Optional[str] = None, type: Optional[str] = None,
                           region_code: Optional[str] = None, country_code: Optional[str] = None,
                           manager_org_id: Optional[str] = None, max: int = 100, sort_by: Optional[str] = None,
                           order: Optional[str] = None) -> AsyncIterator[Dict[str, Any]]:
        """Every organization, page after page (``async for``); see :meth:`Client.iter_organizations`."""
        return self._iterate("organizations.list", "organizations", {
            "name": name, "type": type, "region_code": region_code, "country_code": country_code,
            "manager_org_id": manager_org_id, "max": max, "sort_by": sort_by, "order": order})

    def iter_groups(self, org_id: str, max: Optional[int] = None) -> AsyncIterator[Dict[str, Any]]:
        """Every admin group of an organization (``async for``)."""
        return self._iterate("groups.list", "groups", {"org_id": org_id, "max": max})

    async def _iterate(self, operation: str, key: str, args: Dict[str, Any]) -> AsyncIterator[Dict[str, Any]]:
        seen = set()
        while True:
            outcome = await self._native_client().call_async(operation, args)
            if isinstance(outcome, BaseException):
                raise outcome
            for item in _decode(outcome).get(key, []):
                yield item
            cursor = outcome[2]
            if not cursor:
                return
            if cursor in seen:
                raise SCCError(f"the service returned the cursor {cursor!r} twice; stopping to avoid a loop")
            seen.add(cursor)
            args = {**args, "cursor": cursor}

    async def aclose(self) -> None:
        """Release the connections."""
        self.close()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()


# The async verbs take and return what the sync ones do (awaited): one docstring for both.
for _verb in ("get", "post", "put", "patch", "delete", "iter_organizations"):
    getattr(AsyncClient, _verb).__doc__ = getattr(Client, _verb).__doc__

Client._own_verbs = (Client.get, Client.post, Client.put, Client.patch, Client.delete)
AsyncClient._own_verbs = (AsyncClient.get, AsyncClient.post, AsyncClient.put, AsyncClient.patch, AsyncClient.delete)
