"""simstream: stream numpy frames of a running simulation in; read results back as pandas and Arrow."""

from __future__ import annotations

from simstream._window import Reconnect, ReconnectInfo, UploadStats
from simstream.errors import FrameError, FrameRejected, SimstreamError, StepError, UploadFailed, Violation
from simstream.frames import RawField
from simstream.uploader import Uploader

__version__ = "0.1.0"

__all__ = [
    "FrameError",
    "FrameRejected",
    "RawField",
    "Reconnect",
    "ReconnectInfo",
    "SimstreamError",
    "StepError",
    "UploadFailed",
    "UploadStats",
    "Uploader",
    "Violation",
    "__version__",
]
