"""What the sync and asyncio uploaders share: their options, the state machine, what callers read."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from simstream import _channel
from simstream._events import AnalysisEvent, EventInbox, EventStats, event_kinds
from simstream._options import MiB, ProgressBar, RejectPolicy, make_state
from simstream._window import Reconnect, ReconnectInfo, UploadStats
from simstream.errors import FrameError, FrameRejected
from simstream.frames import Codec, PreparedFrame, open_request


class UploaderBase:
    """Options and state of one simulation's upload; subclasses add the I/O (threads or asyncio)."""

    def __init__(
        self,
        simulation_id: str,
        *,
        target: str | None = None,
        api_key: str | None = None,
        ca: str | os.PathLike[str] | bytes | None = None,
        insecure: bool = False,
        attributes: Mapping[str, str] | None = None,
        codec: Codec = "none",
        level: int = 6,
        check_finite: bool = False,
        max_unacked_bytes: int = 64 * MiB,
        max_unacked_frames: int = 256,
        reconnect: Reconnect | None = None,
        on_reject: RejectPolicy = "raise",
        skip_durable: bool = False,
        on_ack: Callable[[Any], None] | None = None,
        on_reconnect: Callable[[ReconnectInfo], None] | None = None,
        progress: bool | int = False,
        events: bool | str | Iterable[str] | None = None,
        anomaly_threshold: float | None = None,
        since_step: int | None = None,
        on_event: Callable[[AnalysisEvent], None] | None = None,
    ) -> None:
        self._attributes = dict(attributes or {})
        self._open_payload = open_request(simulation_id, attributes)
        opted_in = on_event is not None or (events is not None and events is not False)
        self._inbox = (
            EventInbox(
                event_kinds(True if events is None else events),
                anomaly_threshold,
                since_step,
                on_event,
            )
            if opted_in
            else None
        )
        self._conn = _channel.resolve(target, api_key, ca, insecure)
        self._channel: Any = None
        self._codec: Codec = codec
        self._level = level
        self._check_finite = check_finite
        self._reconnect = reconnect or Reconnect()
        self._bar = ProgressBar(progress, simulation_id)
        self._state = make_state(
            simulation_id,
            max_unacked_bytes=max_unacked_bytes,
            max_unacked_frames=max_unacked_frames,
            on_reject=on_reject,
            skip_durable=skip_durable,
            on_ack=on_ack,
            on_reconnect=on_reconnect,
            progress=self._bar.update,
        )
        self._state.events = self._inbox
        self.simulation_id = simulation_id
        self._call: Any = None
        self._ready_generation = -1
        self._aborted = False
        self._closed = False
        self._setup()

    def _setup(self) -> None:
        """Creates what the subclass's I/O needs (locks, conditions); called at the end of __init__."""

    def _open(self) -> bytes:
        """The OpenStream of the next stream: with events, since the last event step seen."""
        if self._inbox is None:
            return self._open_payload
        return open_request(self.simulation_id, self._attributes, self._inbox.subscription())

    def _events_inbox(self) -> EventInbox:
        if self._inbox is None:
            raise ValueError("this uploader was made without events= or on_event=: no analysis events")
        return self._inbox

    # --- what callers read -------------------------------------------------------------------

    @property
    def event_stats(self) -> EventStats | None:
        """Analysis events received, duplicates, dropped (None without events)."""
        return None if self._inbox is None else self._inbox.stats

    @property
    def stats(self) -> UploadStats:
        return self._state.stats

    @property
    def rejections(self) -> list[FrameRejected]:
        """Every rejection so far (with on_reject='raise' too)."""
        return self._state.rejections

    @property
    def last_durable_step(self) -> int | None:
        return self._state.last_durable_step

    @property
    def unacked(self) -> int:
        return len(self._state.window)

    @property
    def limits(self) -> Any:
        """The server's Limits (max_frame_bytes ...) once a stream opened."""
        return self._state.limits

    def _check_size(self, frame: PreparedFrame) -> None:
        limits = self._state.limits
        if limits is not None and limits.max_frame_bytes and frame.nbytes > limits.max_frame_bytes:
            raise FrameError(
                f"step {frame.step}: {frame.nbytes} bytes of data, the server takes at most "
                f"{limits.max_frame_bytes} (a codec may help)",
                field="fields",
                reason="FRAME_TOO_LARGE",
            )
