"""What a team's tests written for cisco-scc-sdk 1.0.6 do around the client, honoured: while
``requests`` is mocked (``patch("requests.Session.request")``, ``responses``, ``requests_mock``) or
the client's ``_session`` was replaced, each call goes through ``requests`` exactly as 1.0.6 sent it,
so the mock answers it; while sockets are blocked (pytest-socket), a call is refused as 1.0.6's was,
before any native connection. Nothing in a test that mocked the original's HTTP layer reaches the
network through ours."""

from __future__ import annotations

import importlib
import socket
import sys
from typing import Any, Callable, Dict, Optional
from urllib.parse import urlsplit

from . import _native
from .exceptions import APIConnectionError, APITimeoutError, InvalidResponseError

# Where the functions mocks replace live, by module and qualified name: a replaced one (a Mock, an
# autospec copy, a mock library's function) has another.
_ORIGINALS = (
    ("Session", "request", "requests.sessions", "Session.request"),
    ("Session", "send", "requests.sessions", "Session.send"),
    ("Session", "get_adapter", "requests.sessions", "Session.get_adapter"),
    ("HTTPAdapter", "send", "requests.adapters", "HTTPAdapter.send"),
)


def requests_mocked() -> bool:
    """True while a test has replaced part of ``requests``' sending path."""
    requests = sys.modules.get("requests")
    if requests is None:
        # Nothing can have mocked what was never imported.
        return False
    adapters = sys.modules.get("requests.adapters")
    for owner, name, module, qualname in _ORIGINALS:
        holder = getattr(adapters if owner == "HTTPAdapter" else requests, owner, None)
        function = getattr(holder, name, None)
        if getattr(function, "__module__", None) != module or getattr(function, "__qualname__", None) != qualname:
            return True
    return False


# The originals (None when a blocker was installed before this module was imported: then every
# call asks `socket_refusal`).
_SOCKET: Any = socket.socket if socket.socket.__module__ == "socket" else None
_CONNECT: Any = getattr(_SOCKET, "connect", None)


def sockets_replaced() -> bool:
    """True while a test has replaced ``socket.socket`` or its ``connect`` (pytest-socket)."""
    return socket.socket is not _SOCKET or socket.socket.connect is not _CONNECT


def socket_refusal(url: str) -> Optional[BaseException]:
    """The error a blocked socket raises (pytest-socket's ``SocketBlockedError``), when sockets are
    blocked for this URL's host; None when they are not."""
    kind = socket.socket
    connect = getattr(kind, "connect", None)
    if getattr(kind, "__module__", "socket") == "socket" and getattr(connect, "__module__", None) in (None, "socket"):
        return None
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        probe = kind(socket.AF_INET, socket.SOCK_STREAM)
    except Exception as refused:  # noqa: BLE001 - whatever the blocker raises is the answer
        return refused
    try:
        probe.settimeout(5)
        # Host rules (pytest-socket's --allow-hosts) guard `connect`: ask them for this host.
        probe.connect((parts.hostname or "", port))
    except OSError:
        # Not blocked: the native call reports its own connection failure.
        return None
    except Exception as refused:  # noqa: BLE001
        return refused
    finally:
        probe.close()
    return None


def cooperative_wait() -> Optional[Callable[[int], Any]]:
    """How to wait for a descriptor without blocking the hub, when gevent or eventlet has patched
    ``socket`` (a ``gunicorn -k gevent`` worker): their own wait, so other greenlets run while a call
    is in flight. None otherwise (the call then waits in the native core without the GIL)."""
    gevent_monkey = sys.modules.get("gevent.monkey")
    if gevent_monkey is not None and gevent_monkey.is_module_patched("socket"):
        wait: Callable[[int], Any] = importlib.import_module("gevent.socket").wait_read
        return wait
    eventlet_patcher = sys.modules.get("eventlet.patcher")
    if eventlet_patcher is not None and eventlet_patcher.is_monkey_patched("socket"):
        trampoline = importlib.import_module("eventlet.hubs").trampoline
        return lambda descriptor: trampoline(descriptor, read=True)
    return None


class RequestsVerbs:
    """cisco-scc-sdk 1.0.6's verbs (``get``, ``post``, ``put``, ``patch``, ``delete``) sent through
    ``requests`` as 1.0.6 sent them, on the client's ``_session``: the same method, URL, headers,
    query, body and timeout, so a mock of ``requests`` sees exactly what it saw with 1.0.6."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def _request(self, method: str, endpoint: str, **options: Any) -> Any:
        requests = _import_requests()
        client = self._client
        headers = {"Authorization": f"Bearer {client.access_token}", "Content-Type": "application/json",
                   "Accept": "application/json"}
        headers.update(options.pop("headers", None) or {})
        url = f"{client.base_url}/{endpoint.lstrip('/')}"
        try:
            response = client._session.request(method, url, headers=headers, timeout=client.timeout, **options)
            response.raise_for_status()
        except requests.exceptions.HTTPError as error:
            answer = error.response
            raise _native.error_for(
                int(answer.status_code), urlsplit(url).path, bytes(answer.content or b""),
                [(str(name), str(value)) for name, value in (answer.headers or {}).items()]) from error
        except requests.exceptions.Timeout as error:
            raise APITimeoutError(f"no answer within {client.timeout} s: {error}",
                                  may_have_reached_server=method != "GET") from error
        except requests.exceptions.RequestException as error:
            raise APIConnectionError(f"the request failed: {error}",
                                     may_have_reached_server=method != "GET") from error
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError as error:
            text = str(getattr(response, "text", ""))
            raise InvalidResponseError(f"the answer (status {response.status_code}) is not JSON: {error}",
                                       int(response.status_code), response={}, http_headers=[],
                                       http_body=text) from error

    def get(self, endpoint: str, params: Optional[Dict[str, Any]] = None) -> Any:
        return self._request("GET", endpoint, params=params)

    def post(self, endpoint: str, json: Any = None, data: Any = None, headers: Any = None) -> Any:
        if data is not None:
            return self._request("POST", endpoint, data=data, headers=headers)
        return self._request("POST", endpoint, json=json, headers=headers)

    def put(self, endpoint: str, json: Any = None) -> Any:
        return self._request("PUT", endpoint, json=json)

    def patch(self, endpoint: str, json: Any = None) -> Any:
        return self._request("PATCH", endpoint, json=json)

    def delete(self, endpoint: str) -> Any:
        return self._request("DELETE", endpoint)


def _import_requests() -> Any:
    try:
        import requests
    except ImportError as missing:  # pragma: no cover - only reached when requests is mocked or set
        raise RuntimeError("the client's _session was set, but requests is not installed") from missing
    return requests

