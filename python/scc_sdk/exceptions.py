"""Exceptions of the SCC SDK.

The hierarchy and attributes are those of ``cisco-scc-sdk``'s README: every error is an
:class:`SCCError` carrying the service's ``message``, ``status_code``, ``tracking_id``,
``timestamp``, ``path`` and the full error body as ``response``. The added classes are subclasses,
so every ``except`` written for the original still catches them.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

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
]


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
    ) -> None:
        super().__init__(message)
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

    def __str__(self) -> str:
        parts = [self.message]
        if self.status_code is not None:
            parts.append(f"(status {self.status_code})")
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
