"""``Client`` and ``AsyncClient``: the seed's client on the Rust SDK."""

from __future__ import annotations

import json
import logging
import os
from typing import Any, AsyncIterator, Callable, Dict, Iterator, Mapping, Optional, Tuple, Type, TypeVar, Union
from urllib.parse import urlencode

from . import _native
from ._resources import (
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
from .exceptions import SCCError, ValidationError

DEFAULT_BASE_URL = "https://api.security.cisco.com"
DEFAULT_BASE_PATH = "v1"
#: The largest answer body read (8 MiB); a longer one raises ``APIError`` instead of filling memory.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024

TokenStore = Union[str, "os.PathLike[str]", Callable[[Dict[str, Any]], None]]


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


def _decode(reply: Tuple[int, bytes, Optional[str]]) -> Any:
    """The body decoded by Python's ``json`` from the bytes received; an empty body (204) is ``{}``."""
    body = reply[1]
    if not body.strip():
        return {}
    return json.loads(body)


def _endpoint(endpoint: str, params: Optional[Mapping[str, Any]]) -> str:
    endpoint = endpoint.lstrip("/")
    if params:
        kept = {key: value for key, value in params.items() if value is not None}
        if kept:
            endpoint += ("&" if "?" in endpoint else "?") + urlencode(kept, doseq=True)
    return endpoint


class _Base:
    _native: Any

    def __init__(self, access_token: str, base_url: str = DEFAULT_BASE_URL, base_path: str = DEFAULT_BASE_PATH,
                 timeout: float = 30, *, retries: int = 2, retry_backoff: float = 0.5,
                 retry_max_backoff: float = 20.0, rate_limit: Optional[float] = None,
                 rate_limit_burst: int = 1, max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        self._setup(access_token, base_url, base_path, timeout, retries=retries, retry_backoff=retry_backoff,
                    retry_max_backoff=retry_max_backoff, rate_limit=rate_limit, rate_limit_burst=rate_limit_burst,
                    max_response_bytes=max_response_bytes)

    @classmethod
    def from_credentials(cls: Type[_C], org_id: str, api_key_id: str, access_token: str, refresh_token: str,
                         token_store: Optional[TokenStore] = None, *, base_url: str = DEFAULT_BASE_URL,
                         base_path: str = DEFAULT_BASE_PATH, timeout: float = 30, retries: int = 2,
                         retry_backoff: float = 0.5, retry_max_backoff: float = 20.0,
                         rate_limit: Optional[float] = None, rate_limit_burst: int = 1,
                         max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> _C:
        """A client that refreshes its access token itself (before it expires and after a 401, once for
        all threads) and hands every rotated pair to ``token_store``: a file path (written 0600,
        atomically) or a callable receiving a dict."""
        client = cls.__new__(cls)
        client._setup(None, base_url, base_path, timeout, retries=retries, retry_backoff=retry_backoff,
                      retry_max_backoff=retry_max_backoff, rate_limit=rate_limit, rate_limit_burst=rate_limit_burst,
                      credentials={"org_id": org_id, "api_key_id": api_key_id, "access_token": access_token,
                                   "refresh_token": refresh_token},
                      token_store=token_store, max_response_bytes=max_response_bytes)
        return client

    def _setup(self, access_token: Optional[str], base_url: str, base_path: str, timeout: float, *,
               retries: int, retry_backoff: float, retry_max_backoff: float, rate_limit: Optional[float],
               rate_limit_burst: int, credentials: Optional[Dict[str, str]] = None,
               token_store: Optional[TokenStore] = None,
               max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        if credentials is None and not access_token:
            raise ValueError("access_token is required")
        if not isinstance(max_response_bytes, int) or max_response_bytes <= 0:
            raise ValueError("max_response_bytes must be a whole number of bytes, more than zero")
        if not isinstance(retries, int) or retries < 0:
            raise ValueError("retries must be a whole number, 0 or more (0 turns retries off)")
        if token_store is not None and not callable(token_store):
            token_store = os.fspath(token_store)
        self._native = _native.NativeClient(
            access_token, base_url, base_path, float(timeout), max_attempts=retries + 1,
            initial_backoff=retry_backoff, max_backoff=retry_max_backoff, rate_limit=rate_limit,
            rate_burst=rate_limit_burst, credentials=credentials, token_store=token_store,
            max_response_bytes=max_response_bytes)
        self._token = access_token
        #: The base URL joined with the base path, e.g. ``https://api.security.cisco.com/v1``.
        self.base_url: str = self._native.api_root
        self.timeout = timeout
        self._resources()

    def _resources(self) -> None:
        raise NotImplementedError

    @property
    def access_token(self) -> str:
        """The access token in use (after a refresh, the new one)."""
        current = self._native.current_credentials() if self._native is not None else None
        if current is not None:
            token: str = current["access_token"]
            return token
        return self._token or ""

    @property
    def refresh_count(self) -> int:
        """How many times this client refreshed its access token."""
        count: int = self._native.refresh_count
        return count

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, timeout={self.timeout!r})"

    def _native_client(self) -> Any:
        if self._native is None:
            raise SCCError("the client is closed")
        _follow_log_level()
        return self._native

    def close(self) -> None:
        """Release the connections; the client cannot be used afterwards."""
        self._native = None

    def _raw(self, method: str, endpoint: str, params: Optional[Mapping[str, Any]] = None,
             json: Any = None, data: Any = None, headers: Any = None) -> Any:
        if data is not None:
            raise ValidationError("invalid input: `data` form bodies are not sent by the raw helpers; "
                                  "use client.tokens.refresh() for the token endpoint", field="data")
        if headers:
            raise ValidationError("invalid input: `headers` cannot be set on a request: the SDK sets "
                                  "Authorization, Accept and Content-Type itself", field="headers")
        return self._send("request", {"method": method, "endpoint": _endpoint(endpoint, params), "json": json})

    def _send(self, operation: str, args: Dict[str, Any], post: Optional[Callable[[Any], Any]] = None) -> Any:
        raise NotImplementedError


class Client(_Base):
    """Client for the Cisco Security Cloud Control API.

    Args:
        access_token: the bearer token.
        base_url: the server (default ``https://api.security.cisco.com``).
        base_path: the API version path (default ``v1``).
        timeout: seconds per attempt (default 30).
        retries: extra attempts after a failure that is safe to retry (default 2; 0 turns retries
            off). Writes that may have reached the server are never repeated.
        retry_backoff, retry_max_backoff: the first and the largest wait between attempts, seconds.
        max_response_bytes: the largest answer body read (default 8 MiB); reading stops there and the
            call raises ``SCCError``.
        rate_limit: at most this many requests per second from this client (off by default).

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

    def _send(self, operation: str, args: Dict[str, Any], post: Optional[Callable[[Any], Any]] = None) -> Any:
        body = _decode(self._native_client().call(operation, args))
        return post(body) if post is not None else body

    def get(self, endpoint: str, params: Optional[Dict[str, Any]] = None) -> Any:
        """GET any endpoint below the base path (the escape hatch), through the same retries and errors."""
        return self._raw("GET", endpoint, params)

    def post(self, endpoint: str, json: Any = None, data: Any = None, headers: Any = None) -> Any:
        """POST a JSON body to any endpoint below the base path."""
        return self._raw("POST", endpoint, json=json, data=data, headers=headers)

    def put(self, endpoint: str, json: Any = None) -> Any:
        """PUT a JSON body to any endpoint below the base path."""
        return self._raw("PUT", endpoint, json=json)

    def patch(self, endpoint: str, json: Any = None) -> Any:
        """PATCH a JSON body to any endpoint below the base path."""
        return self._raw("PATCH", endpoint, json=json)

    def delete(self, endpoint: str) -> Any:
        """DELETE any endpoint below the base path."""
        return self._raw("DELETE", endpoint)

    def iter_organizations(self, **filters: Any) -> Iterator[Dict[str, Any]]:
        """Every organization, page after page, fetched as the loop asks for them."""
        return self._iterate("organizations.list", "organizations", dict(filters))

    def iter_groups(self, org_id: str, max: Optional[int] = None) -> Iterator[Dict[str, Any]]:
        """Every admin group of an organization, page after page."""
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

    def _send(self, operation: str, args: Dict[str, Any], post: Optional[Callable[[Any], Any]] = None) -> Any:
        native = self._native_client()

        async def run() -> Any:
            outcome = await native.call_async(operation, args)
            if isinstance(outcome, BaseException):
                raise outcome
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

    def iter_organizations(self, **filters: Any) -> AsyncIterator[Dict[str, Any]]:
        """Every organization, page after page (``async for``)."""
        return self._iterate("organizations.list", "organizations", dict(filters))

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
