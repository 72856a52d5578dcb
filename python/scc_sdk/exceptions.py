"""Exceptions of the SCC SDK.

The hierarchy and attributes are those of ``cisco-scc-sdk``'s README: every error is an
:class:`SCCError` carrying the service's ``message``, ``status_code``, ``tracking_id``,
``timestamp``, ``path`` and the full error body as ``response``. The added classes are subclasses,
so every ``except`` written for the original still catches them.

Code written for cisco-scc-sdk 1.0.6 keeps reading errors its way: ``str(e)`` starts with
``API request failed (404):``; ``e.response`` is the error body as a dict that also answers
``status_code``, ``headers``, ``text``, ``content`` and ``json()`` like a ``requests`` response; and
where ``requests`` is installed, ``e.__cause__`` is the ``requests.HTTPError`` (``Timeout``,
``ConnectionError``) 1.0.6 chained, with its ``.response``.
"""

from __future__ import annotations

import json as _json
from typing import Any, Dict, Iterable, List, Optional, Tuple

__all__ = [
    "SCCError",
    "AuthenticationError",
    "ForbiddenError",
    "NotFoundError",
    "ValidationError",
    "InvalidInputError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
    "InvalidResponseError",
]


class ErrorResponse(Dict[str, Any]):
    """The service's error answer: the body's JSON object as a dict (what ``e.response`` always was),
    which also answers as a ``requests`` response does (``status_code``, ``headers``, ``text``,
    ``content``, ``json()``, ``reason``, ``url``, ``ok``)."""

    def __init__(self, body: Any, status_code: int, headers: Iterable[Tuple[str, str]], text: str,
                 url: Optional[str]) -> None:
        super().__init__(body if isinstance(body, dict) else {})
        self.status_code = status_code
        self.headers = _Headers(headers)
        self.text = text
        self.content = text.encode()
        self.url = url
        self.ok = False
        self.encoding = "utf-8"
        try:
            from http import HTTPStatus
            self.reason = HTTPStatus(status_code).phrase
        except ValueError:
            self.reason = ""

    def json(self, **kwargs: Any) -> Any:
        """The body decoded as JSON (raises ``ValueError`` when it is not JSON, as requests does)."""
        return _json.loads(self.text, **kwargs)

    def raise_for_status(self) -> None:
        raise _requests_error(self) or SCCError(f"API request failed ({self.status_code})", self.status_code)

    def __reduce__(self) -> Any:
        return (ErrorResponse, (dict(self), self.status_code, list(self.headers.items()), self.text, self.url))

    def __repr__(self) -> str:
        return f"<ErrorResponse [{self.status_code}] {dict.__repr__(self)}>"


class _Headers(Dict[str, str]):
    """Response headers, looked up in any case (as ``requests``' ``CaseInsensitiveDict``)."""

    def __init__(self, headers: Iterable[Tuple[str, str]]) -> None:
        super().__init__()
        for name, value in headers:
            # Repeated headers join with ", " (RFC 9110), as requests shows them.
            key = self._key(name) or name
            self[key] = f"{dict.__getitem__(self, key)}, {value}" if key in self else value

    def _key(self, name: str) -> Optional[str]:
        lowered = name.lower()
        return next((key for key in dict.keys(self) if key.lower() == lowered), None)

    def __getitem__(self, name: str) -> str:
        key = self._key(name)
        if key is None:
            raise KeyError(name)
        return dict.__getitem__(self, key)

    def get(self, name: str, default: Any = None) -> Any:
        key = self._key(name)
        return default if key is None else dict.__getitem__(self, key)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) is not None


def _requests() -> Any:
    """``requests``, when it is installed (imported once, on the first error that needs it)."""
    global _REQUESTS
    if _REQUESTS is None:
        try:
            import requests
            _REQUESTS = requests
        except ImportError:
            _REQUESTS = False
    return _REQUESTS or None


_REQUESTS: Any = None


def _requests_error(response: ErrorResponse) -> Optional[BaseException]:
    """The ``requests.HTTPError`` cisco-scc-sdk 1.0.6 raised for this answer, with its ``.response``."""
    requests = _requests()
    if requests is None:
        return None
    answer = requests.Response()
    answer.status_code = response.status_code
    answer._content = response.content
    answer.encoding = "utf-8"
    answer.headers = requests.structures.CaseInsensitiveDict(response.headers)
    answer.url = response.url or ""
    answer.reason = response.reason
    kind = "Client" if response.status_code < 500 else "Server"
    error: BaseException = requests.HTTPError(
        f"{response.status_code} {kind} Error: {response.reason} for url: {answer.url}", response=answer)
    return error


class SCCError(Exception):
    """Base exception for all SCC API errors."""

    def __init__(
        self,
        message: str = "",
        status_code: Optional[int] = None,
        tracking_id: Optional[str] = None,
        timestamp: Optional[str] = None,
        path: Optional[str] = None,
        response: Optional[Any] = None,
        *,
        retry_after: Optional[float] = None,
        field: Optional[str] = None,
        may_have_reached_server: bool = False,
        attempts: int = 1,
        http_headers: Optional[List[Tuple[str, str]]] = None,
        http_body: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if status_code is not None and http_body is not None and not isinstance(response, ErrorResponse):
            response = ErrorResponse(response, status_code, http_headers or [], http_body, path)
        self.message = message
        self.status_code = status_code
        self.tracking_id = tracking_id
        self.timestamp = timestamp
        self.path = path
        #: The full error body as the service sent it (a dict for the SCC error envelope).
        self.response = response
        #: Seconds the service asked to wait (``Retry-After``), when it said.
        self.retry_after = retry_after
        #: The argument refused before sending, for input errors.
        self.field = field
        #: True when the request may have been applied although no answer came back (its outcome
        #: is unknown: read the state before repeating a write).
        self.may_have_reached_server = may_have_reached_server
        #: How many attempts were made (retries included).
        self.attempts = attempts
        self._chain()

    def _chain(self) -> None:
        """As cisco-scc-sdk 1.0.6 did, the ``requests`` exception behind this one is its ``__cause__``."""
        cause: Optional[BaseException] = None
        if isinstance(self.response, ErrorResponse):
            cause = _requests_error(self.response)
        elif isinstance(self, APIConnectionError) and _requests() is not None:
            exceptions = _requests().exceptions
            cause = (exceptions.Timeout if isinstance(self, APITimeoutError) else exceptions.ConnectionError)(
                self.message)
        if cause is not None:
            self.__cause__ = cause

    def __str__(self) -> str:
        # 1.0.6's prefix first (code reads `"(404)" in str(e)`), then the detail.
        failed = self.status_code is not None and self.status_code >= 300
        parts = [f"API request failed ({self.status_code}): {self.message}" if failed else self.message]
        if self.tracking_id:
            parts.append(f"[tracking id {self.tracking_id}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status_code={self.status_code!r}, "
            f"tracking_id={self.tracking_id!r})"
        )

    def __reduce__(self) -> Any:
        return (
            _rebuild,
            (type(self), self.message, self.status_code, self.tracking_id, self.timestamp, self.path,
             self.response, self.retry_after, self.field, self.may_have_reached_server, self.attempts),
        )

    def to_dict(self) -> Dict[str, Any]:
        """The error's details as a dictionary."""
        return {
            "message": self.message,
            "status_code": self.status_code,
            "tracking_id": self.tracking_id,
            "timestamp": self.timestamp,
            "path": self.path,
            "response": self.response,
        }


def _rebuild(cls: type, message: str, status_code: Optional[int], tracking_id: Optional[str],
             timestamp: Optional[str], path: Optional[str], response: Any, retry_after: Optional[float],
             field: Optional[str], may_have_reached_server: bool, attempts: int) -> SCCError:
    error: SCCError = cls(message, status_code, tracking_id, timestamp, path, response, retry_after=retry_after,
                          field=field, may_have_reached_server=may_have_reached_server, attempts=attempts)
    return error


class AuthenticationError(SCCError):
    """Raised when authentication fails (401): a missing, invalid or expired token."""


class ForbiddenError(SCCError):
    """Raised when access is forbidden (403): the token may not do this."""


class NotFoundError(SCCError):
    """Raised when a resource is not found (404)."""


class ValidationError(SCCError):
    """Raised when request validation fails: the service answered 400 or 422, or the SDK refused the
    input before sending (then it is an :class:`InvalidInputError`: ``status_code`` is ``None`` and
    ``field`` names the argument)."""


class InvalidInputError(ValidationError, ValueError):
    """Raised when the SDK refused an argument before sending anything: ``field`` names it and
    ``status_code`` is None. Also a ``ValueError``, as cisco-scc-sdk raised for the input it
    checked (``except ValueError`` keeps catching it)."""


class ConflictError(SCCError):
    """Raised when the resource already exists (409), e.g. a claim code already claimed."""


class RateLimitError(SCCError):
    """Raised when the rate limit was exceeded (429) and retries did not help; ``retry_after`` says
    how long the service asked to wait."""


class ServerError(SCCError):
    """Raised when a server error occurs (5xx)."""


class APIConnectionError(SCCError):
    """Raised when no answer came: the connection failed or broke. ``may_have_reached_server`` tells
    whether a write may have been applied anyway."""


class APITimeoutError(APIConnectionError):
    """Raised when the answer did not come within the timeout."""


class InvalidResponseError(SCCError, ValueError):
    """Raised when a successful answer is not what the API sends (a captive portal's HTML page, a
    truncated document): ``response`` holds the status and the body as received. Also a
    ``ValueError``, as ``json``'s own error was."""
