"""Run the SDK without a Cisco account: the Rust emulator, started in this process, and a stub
that answers what a test says and records what was sent.

    from scc_sdk.testing import Emulator, Stub

    with Emulator() as emu:
        client = emu.client()
        print(client.organizations.get(emu.org_id)["name"])

    with Stub() as stub:                      # instead of `responses` / `requests-mock`
        stub.add("GET", "organizations/org-1", json={"id": "org-1", "name": "Acme"})
        client = Client(access_token="t")     # the default base URL goes to the stub while it runs
        assert client.organizations.get("org-1")["name"] == "Acme"
        assert stub.requests[0].path == "/v1/organizations/org-1"

With pytest, the fixtures ``scc_emulator`` and ``scc_stub`` (from this package's pytest plugin) give a
fresh one to each test.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Set, Tuple
from urllib.parse import parse_qs, urlsplit

from . import _client, _native
from ._client import AsyncClient, Client

__all__ = ["Emulator", "Stub", "RecordedRequest"]


@dataclass
class RecordedRequest:
    """A request the stub received, as it arrived on the wire."""

    #: ``GET``, ``POST``, ...
    method: str
    #: The path, with the base path: ``/v1/organizations/org-1``.
    path: str
    #: The query: ``{"max": ["50"]}`` (every value a list of strings, as ``parse_qs`` gives).
    query: Dict[str, List[str]]
    #: The headers, names in lower case (``authorization`` holds the token: compare, don't print).
    headers: Dict[str, str] = field(repr=False)
    #: The body's bytes (empty when there is none).
    body: bytes = b""

    @property
    def json(self) -> Any:
        """The body decoded as JSON (None when empty)."""
        return json.loads(self.body) if self.body.strip() else None

    @property
    def params(self) -> Dict[str, str]:
        """The query with one value a name (the last), as cisco-scc-sdk passed ``params``."""
        return {name: values[-1] for name, values in self.query.items()}


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: Dict[str, str]
    given: bool = False


class Stub:
    """A local HTTP server (127.0.0.1, a free port) that answers each request with what the test
    added for its method and path, and records every request: the way out for unit tests that used
    ``responses`` or ``requests-mock`` with cisco-scc-sdk (this package's transport is not
    ``requests``, so those never see its requests).

    While it runs (``with Stub() as stub``), every client made on the thread that opened it with the
    default base URL (left out, or written out) goes to the stub, so code that builds its own
    ``Client(access_token=...)`` is tested unchanged and never reaches the real service; clients of
    other threads are not caught. A request nothing was added for is answered 404 with the service's
    error envelope naming it, and kept in :attr:`unmatched`. The token a request carries is recorded
    redacted (``Bearer [redacted]``). When the stub stops, its connections close: a client kept
    alive gets no more answers from it.

    Args:
        base_path: the API version path the clients use (default ``v1``); paths given to
            :meth:`add` without a leading ``/`` are below it.
    """

    def __init__(self, base_path: str = "v1") -> None:
        self._base = "/" + base_path.strip("/") if base_path.strip("/") else ""
        self._lock = threading.Lock()
        self._routes: Dict[Tuple[str, str], List[Tuple[Optional[Dict[str, List[str]]], _Answer]]] = {}
        #: Every request received, in order.
        self.requests: List[RecordedRequest] = []
        #: The requests nothing was added for (also in :attr:`requests`).
        self.unmatched: List[RecordedRequest] = []
        self._connections: Set[socket.socket] = set()
        self._stopped = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="scc-sdk-stub", daemon=True)
        self._thread.start()
        #: ``http://127.0.0.1:PORT`` (the client adds the base path).
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        #: The opening thread's default-URL routes, while the stub is among them.
        self._routing: Optional[List[str]] = None

    def add(self, method: str, path: str, *, json: Any = None, status: int = 200, body: Optional[bytes] = None,
            headers: Optional[Dict[str, str]] = None) -> None:
        """Answer ``method path`` with ``status`` and ``json`` (or raw ``body``).

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            path: below the base path (``organizations/org-1``) or absolute (``/v1/organizations``);
                with a query (``organizations?max=10``) only that query matches, else any does.
            json: the answer's JSON body.
            status: the answer's status (default 200).
            body: a raw body instead of ``json``.
            headers: more answer headers (``Retry-After``, ...).

        Adding the same method and path again queues answers: each is given once, in order, and the
        last one keeps being given.
        """
        split = urlsplit(path)
        route_path = split.path if split.path.startswith("/") else f"{self._base}/{split.path}"
        query = parse_qs(split.query, keep_blank_values=True) if split.query else None
        if body is None:
            body = b"" if json is None else _json_bytes(json)
        answer = _Answer(status, body, dict(headers or {}))
        with self._lock:
            self._routes.setdefault((method.upper(), route_path), []).append((query, answer))

    def client(self, access_token: str = "stub-token", **options: Any) -> Client:
        """A ``Client`` for this stub."""
        return Client(access_token=access_token, base_url=self.base_url, **options)

    def async_client(self, access_token: str = "stub-token", **options: Any) -> AsyncClient:
        """An ``AsyncClient`` for this stub."""
        return AsyncClient(access_token=access_token, base_url=self.base_url, **options)

    def assert_all_requested(self) -> None:
        """Fails (``AssertionError``) when an added answer was never given, or a request found no
        answer."""
        with self._lock:
            unused = [f"{method} {path}" for (method, path), answers in self._routes.items()
                      if any(not answer.given for _, answer in answers)]
            unmatched = [f"{request.method} {request.path}" for request in self.unmatched]
        if unused or unmatched:
            raise AssertionError(f"never requested: {unused}; requested without an answer: {unmatched}")

    def _answer(self, request: RecordedRequest) -> _Answer:
        with self._lock:
            self.requests.append(request)
            matching = [answer for query, answer in self._routes.get((request.method, request.path), [])
                        if query is None or query == request.query]
            if matching:
                # Each answer once, in order; the last one keeps being given.
                answer = next((answer for answer in matching if not answer.given), matching[-1])
                answer.given = True
                return answer
            self.unmatched.append(request)
        message = f"scc_sdk.testing.Stub: no answer was added for {request.method} {request.path}"
        return _Answer(404, _json_bytes({"message": message, "statusCode": 404, "path": request.path,
                                         "trackingId": "stub", "timestamp": "1970-01-01T00:00:00Z"}),
                       {})

    def _handler(self) -> type:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with stub._lock:
                    stub._connections.add(self.connection)

            def finish(self) -> None:
                with stub._lock:
                    stub._connections.discard(self.connection)
                super().finish()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if stub._stopped:
                    self.close_connection = True
                    return
                split = urlsplit(self.path)
                headers = {name.lower(): value for name, value in self.headers.items()}
                if "authorization" in headers:
                    scheme = headers["authorization"].split(" ", 1)[0]
                    headers["authorization"] = f"{scheme} [redacted]"
                recorded = RecordedRequest(self.command, split.path, parse_qs(split.query, keep_blank_values=True),
                                           headers, body)
                answer = stub._answer(recorded)
                self.send_response(answer.status)
                headers = {"Content-Type": "application/json", **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def stop(self) -> None:
        """Stop the server, close its connections (a kept-alive client gets no more answers) and
        the routing of default clients to it; calling it again does nothing."""
        # The routes of the thread that opened it, whichever thread stops it.
        if self._routing is not None:
            if self.base_url in self._routing:
                self._routing.remove(self.base_url)
            self._routing = None
        self._stopped = True
        if self._thread.is_alive():
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()

    def __enter__(self) -> "Stub":
        self._routing = _client._stub_routes.urls
        self._routing.append(self.base_url)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Stub(base_url={self.base_url!r}, requests={len(self.requests)})"


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


class Emulator:
    """A local SCC + XDR server on a free loopback port, with the fixtures' organization, API keys
    and claim codes. Its credentials are made up for the emulator and are not secret."""

    def __init__(self, *, seed: int = 42, token_ttl: Optional[int] = None, fault_rate: float = 0.0,
                 latency_ms: int = 0, rate_limit: Optional[int] = None, claim_codes: Optional[int] = None) -> None:
        self._native: Optional[Any] = _native.NativeEmulator(
            seed=seed, token_ttl=token_ttl, fault_rate=fault_rate, latency_ms=latency_ms, rate_limit=rate_limit,
            claim_codes=claim_codes)
        ready: Dict[str, Any] = json.loads(self._native.ready())
        #: ``http://127.0.0.1:PORT`` (the client adds ``/v1``).
        self.base_url: str = ready["base_url"]
        #: The caller's organization (a MANAGER).
        self.org_id: str = ready["org_id"]
        #: The credential of the control plane (``/_emulator/*``): ``Authorization: Bearer <control_token>``.
        self.control_token: str = ready["control_token"]
        #: ``{"api_key_id", "access_token", "refresh_token"}`` of an admin (read and write) key.
        self.admin: Dict[str, str] = ready["admin"]
        #: The same for a member (read-only) key.
        self.member: Dict[str, str] = ready["member"]
        self.admin_token: str = self.admin["access_token"]
        self.member_token: str = self.member["access_token"]
        #: Organizations managed by ``org_id``.
        self.managed_org_ids: List[str] = ready["managed_org_ids"]
        #: Claim codes that can be claimed.
        self.claim_codes: List[str] = ready["claim_codes"]["valid"]
        #: Claim codes already claimed (claiming again answers 409).
        self.claimed_claim_codes: List[str] = ready["claim_codes"]["claimed"]
        #: ``{"base_url", "client_id", "client_secret"}`` of the XDR side.
        self.xdr: Dict[str, str] = ready["xdr"]

    def client(self, member: bool = False, **options: Any) -> Client:
        """A ``Client`` for this emulator with the admin (or member) token."""
        token = self.member_token if member else self.admin_token
        return Client(access_token=token, base_url=self.base_url, **options)

    def async_client(self, member: bool = False, **options: Any) -> AsyncClient:
        """An ``AsyncClient`` for this emulator."""
        token = self.member_token if member else self.admin_token
        return AsyncClient(access_token=token, base_url=self.base_url, **options)

    def state(self) -> Dict[str, Any]:
        """The emulator's whole state (for assertions in tests)."""
        if self._native is None:
            raise RuntimeError("the emulator is stopped")
        state: Dict[str, Any] = json.loads(self._native.state())
        return state

    def environment(self) -> Dict[str, str]:
        """``SCC_BASE_URL``, ``SCC_ACCESS_TOKEN`` and ``SCC_ORG_ID`` (and the rest the examples read)
        pointing at this emulator."""
        return {
            "SCC_BASE_URL": self.base_url,
            "SCC_ACCESS_TOKEN": self.admin_token,
            "SCC_ORG_ID": self.org_id,
            "SCC_API_KEY_ID": self.admin["api_key_id"],
            "SCC_REFRESH_TOKEN": self.admin["refresh_token"],
            "SCC_CLAIM_CODE": self.claim_codes[0],
        }

    def stop(self) -> None:
        """Stop the server (waits until it has stopped); calling it again does nothing."""
        if self._native is not None:
            self._native.stop()
            self._native = None

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator(base_url={self.base_url!r}, org_id={self.org_id!r})"
