"""simstream: stream numpy frames of a running simulation in; read results back as pandas and Arrow."""

from __future__ import annotations

from simstream._events import AnalysisEvent, EventStats
from simstream._http import RetryPolicy
from simstream._live import ResultStream
from simstream._problem import (
    ApiConnectionError,
    ApiError,
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnavailableError,
)
from simstream._version import __version__
from simstream._window import Reconnect, ReconnectInfo, UploadStats
from simstream.client import Client
from simstream.errors import FrameError, FrameRejected, SimstreamError, StepError, UploadFailed, Violation
from simstream.frames import RawField
from simstream.uploader import Uploader

__all__ = [
    "AnalysisEvent",
    "ApiConnectionError",
    "ApiError",
    "AuthenticationError",
    "Client",
    "ConflictError",
    "EventStats",
    "FrameError",
    "FrameRejected",
    "InvalidRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RawField",
    "Reconnect",
    "ReconnectInfo",
    "ResultStream",
    "RetryPolicy",
    "SimstreamError",
    "StepError",
    "UnavailableError",
    "UploadFailed",
    "UploadStats",
    "Uploader",
    "Violation",
    "__version__",
]
