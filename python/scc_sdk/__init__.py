"""Cisco Security Cloud Control Python SDK, on the Rust ``scc-sdk`` core.

The API of ``cisco-scc-sdk`` (``from scc_sdk import Client``), with retries that never repeat an
unsafe write, self-refreshing credentials, typed errors that keep the service's tracking id, an
``AsyncClient``, and ``scc_sdk.testing`` to run everything against a local emulator.
"""

import atexit as _atexit
import logging as _logging

from . import _native
from ._client import AsyncClient, Client
from .plans import Plan, plan
from .exceptions import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    SCCError,
    ServerError,
    ValidationError,
)

__version__: str = _native.__version__

# Stop the native runtime's threads before the interpreter is torn down, so none of them touches
# Python during finalization (an asyncio answer being handed over, a log record).
_atexit.register(_native.shutdown_runtime)

# The SDK's log records (from the Rust core) go to this logger; silent unless the application
# configures logging.
_logging.getLogger("scc_sdk").addHandler(_logging.NullHandler())

__all__ = [
    "Client",
    "AsyncClient",
    "plan",
    "Plan",
    "SCCError",
    "AuthenticationError",
    "NotFoundError",
    "ValidationError",
    "InvalidInputError",
    "ForbiddenError",
    "ServerError",
    "ConflictError",
    "RateLimitError",
    "APIConnectionError",
    "APITimeoutError",
    "InvalidResponseError",
]
