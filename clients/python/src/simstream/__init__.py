"""simstream: stream numpy frames of a running simulation in; read results back as pandas and Arrow."""

from __future__ import annotations

__version__ = "0.1.0"

# Reading results (the gateway's HTTP API).
from ._http import RetryPolicy
from ._live import ResultStream
from ._problem import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    ConflictError,
    FieldViolation,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnavailableError,
)
from .client import Client

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "FieldViolation",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ResultStream",
    "RetryPolicy",
    "UnavailableError",
    "__version__",
]
