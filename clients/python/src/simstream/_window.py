"""The upload state machine shared by the sync and asyncio uploaders, without I/O or locking.

The window holds every frame sent and not yet answered, in step order, bounded by bytes and
count. A stream generation writes window entries from the first it has not written yet; a
response must answer the oldest entry; (re)opening prunes what the server reports durable and
counts the rest as resent. The callers hold their lock around every method and run the
returned callbacks after releasing it.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import grpc

from simstream._events import EventInbox
from simstream.errors import FrameRejected, StepError, UploadFailed, Violation
from simstream.frames import PreparedFrame

RETRIABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.CANCELLED,
    }
)

OnReject = Literal["raise", "collect"]


@dataclass(frozen=True)
class Reconnect:
    """Backoff between reopen attempts: min(max_delay, initial_delay * 2**attempt) * U(0.5, 1)."""

    initial_delay: float = 0.2
    max_delay: float = 5.0
    give_up_after: float = 300.0  # seconds of failing to reopen before UploadFailed

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.initial_delay * 2.0**attempt) * (0.5 + random.random() / 2)


@dataclass(frozen=True)
class ReconnectInfo:
    attempt: int  # 0: a stream broke (reopened at once); n >= 1: reopen attempt n failed
    error: str
    delay: float  # seconds until the next attempt


@dataclass
class UploadStats:
    acked: int = 0
    rejected: int = 0
    resent: int = 0  # frames written again on a new stream
    reconnects: int = 0  # streams that broke
    failed_attempts: int = 0  # reopen attempts that failed
    already_durable: int = 0  # unanswered frames the server reported durable on resume
    skipped: int = 0  # send() of a durable step with skip_durable=True


@dataclass
class Entry:
    frame: PreparedFrame
    sent_on: int = -1  # generation it was last written on


class StreamBroken(Exception):
    """The stream answered out of order: drop it and reopen."""


@dataclass
class Window:
    max_bytes: int
    max_frames: int
    entries: deque[Entry] = field(default_factory=deque)
    nbytes: int = 0
    generation: int = 0
    _cursor: int = 0  # entries[:_cursor] are written on the current generation

    def __len__(self) -> int:
        return len(self.entries)

    def has_room(self, nbytes: int) -> bool:
        """A frame larger than the whole window still goes, alone."""
        if not self.entries:
            return True
        return len(self.entries) < self.max_frames and self.nbytes + nbytes <= self.max_bytes

    def push(self, frame: PreparedFrame) -> None:
        self.entries.append(Entry(frame))
        self.nbytes += frame.nbytes

    def new_generation(self) -> int:
        self.generation += 1
        self._cursor = 0
        return self.generation

    def has_unsent(self, generation: int) -> bool:
        return generation == self.generation and self._cursor < len(self.entries)

    def next_unsent(self, generation: int) -> Entry | None:
        if generation != self.generation or self._cursor >= len(self.entries):
            return None
        entry = self.entries[self._cursor]
        self._cursor += 1
        entry.sent_on = generation
        return entry

    def _pop(self) -> Entry:
        entry = self.entries.popleft()
        self.nbytes -= entry.frame.nbytes
        self._cursor = max(0, self._cursor - 1)
        return entry

    def prune_durable(self, durable: int | None) -> int:
        pruned = 0
        while durable is not None and self.entries and self.entries[0].frame.step <= durable:
            self._pop()
            pruned += 1
        return pruned

    def written_before(self) -> int:
        return sum(1 for e in self.entries if e.sent_on >= 0)

    def answer(self, step: int) -> Entry:
        """The oldest entry, which a response for `step` must answer."""
        head = self.entries[0] if self.entries else None
        if head is None or head.frame.step != step or head.sent_on != self.generation:
            raise StreamBroken(
                f"response for step {step} does not match the oldest unanswered step "
                f"{None if head is None else head.frame.step}"
            )
        return self._pop()


Callback = Callable[[], None]


class UploadState:
    """Everything an uploader knows besides its transport."""

    def __init__(
        self,
        simulation_id: str,
        *,
        max_bytes: int,
        max_frames: int,
        on_reject: OnReject,
        skip_durable: bool,
        on_ack: Callable[[Any], None] | None,
        on_reject_callback: Callable[[FrameRejected], None] | None,
        on_reconnect: Callable[[ReconnectInfo], None] | None,
        progress: Callable[[int], None] | None,
    ) -> None:
        if on_reject not in ("raise", "collect"):
            raise ValueError(f"on_reject must be 'raise' or 'collect', not {on_reject!r}")
        self.simulation_id = simulation_id
        self.window = Window(max_bytes, max_frames)
        self.stats = UploadStats()
        self.last_durable_step: int | None = None
        self.last_step = -1
        self.limits: Any = None
        self.server_id = ""
        self.opened = False  # a stream opened at least once
        self.rejections: list[FrameRejected] = []
        self._pending: deque[FrameRejected] = deque()
        self.failure: UploadFailed | None = None
        self.closing = False
        self._on_reject = on_reject
        self._skip_durable = skip_durable
        self._on_ack = on_ack
        self._on_reject_cb = on_reject_callback
        self._on_reconnect = on_reconnect
        self._progress = progress
        self.events: EventInbox | None = None  # set when the upload opted in to analysis events

    def raise_pending(self) -> None:
        """The failure, else the oldest rejection not raised yet (on_reject='raise')."""
        if self.failure is not None:
            raise self.failure
        if self._pending:
            raise self._pending.popleft()

    def admit(self, step: int) -> bool:
        """Checks a step before it is prepared; False: skip it (already durable, skip_durable)."""
        self.raise_pending()
        if self.closing:
            raise UploadFailed("the uploader is closed")
        if self.last_durable_step is not None and step <= self.last_durable_step:
            if self._skip_durable:
                self.stats.skipped += 1
                return False
            raise StepError(
                f"step {step} of {self.simulation_id} is already durable (last durable step "
                f"{self.last_durable_step}): continue after it, or pass skip_durable=True",
                step=step,
                reason="STEP_ALREADY_DURABLE",
            )
        if step <= self.last_step:
            raise StepError(
                f"step {step} must be after the last step sent ({self.last_step})",
                step=step,
                reason="STEP_NOT_INCREASING",
            )
        return True

    def enqueue(self, frame: PreparedFrame) -> None:
        self.last_step = frame.step
        self.window.push(frame)

    def on_opened(self, opened: Any) -> Callback | None:
        """StreamOpened: prune what is durable, count what will be written again."""
        durable = opened.last_durable_step if opened.HasField("last_durable_step") else None
        self.last_durable_step = durable
        self.limits = opened.limits
        self.server_id = opened.server_id
        self.opened = True
        pruned = self.window.prune_durable(durable)
        self.stats.already_durable += pruned
        self.stats.resent += self.window.written_before()
        if pruned and self._progress is not None:
            progress = self._progress
            return lambda: progress(pruned)
        return None

    def on_response(self, response: Any) -> Callback | None:
        """An ack or a rejection; raises StreamBroken when it does not answer the oldest frame."""
        kind = response.WhichOneof("kind")
        if kind == "event":
            return None if self.events is None else self.events.accept(response.event)
        if kind not in ("ack", "rejected"):
            return None
        result = getattr(response, kind)
        self.window.answer(result.step)
        if kind == "ack":
            self.stats.acked += 1
            if result.HasField("last_durable_step"):
                self.last_durable_step = result.last_durable_step
            on_ack = self._on_ack
            return self._with_progress(None if on_ack is None else lambda: on_ack(result))
        rejection = FrameRejected(
            simulation_id=result.simulation_id or self.simulation_id,
            step=result.step,
            grpc_code=result.code,
            reason=result.reason,
            message=result.message,
            violations=[Violation(v.field, v.description, v.reason) for v in result.violations],
        )
        self.stats.rejected += 1
        self.rejections.append(rejection)
        if self._on_reject == "raise":
            self._pending.append(rejection)
        on_reject = self._on_reject_cb
        return self._with_progress(None if on_reject is None else lambda: on_reject(rejection))

    def _with_progress(self, callback: Callback | None) -> Callback | None:
        progress = self._progress
        if progress is None:
            return callback

        def both() -> None:
            progress(1)
            if callback is not None:
                callback()

        return both

    def classify(self, code: Any, details: str) -> UploadFailed | None:
        """UploadFailed for a status reconnecting cannot fix, None for a retriable one."""
        if code in RETRIABLE:
            return None
        return UploadFailed(
            f"ingestion refused the stream of {self.simulation_id}: {getattr(code, 'name', code)}: {details}",
            grpc_code=code,
        )

    def fail(self, failure: UploadFailed) -> None:
        if self.failure is None:
            self.failure = failure
        if self.events is not None:
            self.events.closed = True

    def reconnecting(self, attempt: int, error: str, delay: float) -> Callback | None:
        if attempt == 0:
            self.stats.reconnects += 1
        else:
            self.stats.failed_attempts += 1
        on_reconnect = self._on_reconnect
        if on_reconnect is None:
            return None
        info = ReconnectInfo(attempt, error, delay)
        return lambda: on_reconnect(info)
