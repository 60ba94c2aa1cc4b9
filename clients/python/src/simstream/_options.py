"""What the sync and asyncio uploaders share besides the state machine: options and the progress bar."""

from __future__ import annotations

import importlib
import logging
import warnings
from collections.abc import Callable
from typing import Any

from simstream._window import OnReject, ReconnectInfo, UploadState
from simstream.errors import FrameRejected

log = logging.getLogger("simstream")

MiB = 1024 * 1024

RejectPolicy = OnReject | Callable[[FrameRejected], None]


def make_state(
    simulation_id: str,
    *,
    max_unacked_bytes: int,
    max_unacked_frames: int,
    on_reject: RejectPolicy,
    skip_durable: bool,
    on_ack: Callable[[Any], None] | None,
    on_reconnect: Callable[[ReconnectInfo], None] | None,
    progress: Callable[[int], None] | None,
) -> UploadState:
    """A callable `on_reject` collects rejections and calls it for each."""
    if max_unacked_bytes < 1 or max_unacked_frames < 1:
        raise ValueError("max_unacked_bytes and max_unacked_frames must be positive")
    policy: OnReject = on_reject if isinstance(on_reject, str) else "collect"
    return UploadState(
        simulation_id,
        max_bytes=max_unacked_bytes,
        max_frames=max_unacked_frames,
        on_reject=policy,
        skip_durable=skip_durable,
        on_ack=on_ack,
        on_reject_callback=None if isinstance(on_reject, str) else on_reject,
        on_reconnect=on_reconnect,
        progress=progress,
    )


class ProgressBar:
    """A tqdm bar of answered frames when tqdm is installed (`pip install simstream[progress]`)."""

    def __init__(self, enabled: bool | int, simulation_id: str) -> None:
        self._bar: Any = None
        if enabled is False:
            return
        try:
            tqdm = importlib.import_module("tqdm.auto").tqdm  # optional, untyped
        except ImportError:
            warnings.warn("progress=True needs tqdm (pip install tqdm); no progress bar", stacklevel=3)
            return
        total = None if enabled is True else int(enabled)
        self._bar = tqdm(total=total, unit="frame", desc=simulation_id, dynamic_ncols=True)

    @property
    def update(self) -> Callable[[int], None] | None:
        bar = self._bar
        return None if bar is None else bar.update

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def run_callback(callback: Callable[[], None] | None) -> None:
    """User callbacks must not stop the upload: their exceptions are logged."""
    if callback is None:
        return
    try:
        callback()
    except Exception:
        log.exception("simstream uploader callback raised")
