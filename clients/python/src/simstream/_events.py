"""Analysis events of an upload that opted in (``events=`` on the uploaders), without I/O or locking.

Ingestion pushes them into the StreamFrames responses, at least once: the inbox keeps each
(kind, step) once, hands it to the callback and to iterators, and says which step to ask for on
the next (re)open (``since_step``: the last event step seen). The callers hold their lock
around every method and run the returned callbacks after releasing it.

"Last step seen" is kept per source of results: anomaly and pattern-change events come from the
neuromorphic results in step order, partitions from the quantum ones, which lag behind. A reopen
asks since the smaller of the two, so an event of the slower source is not skipped.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

EventKind = Literal["anomaly", "pattern_change", "quantum_partition"]

_PROTO_KIND: dict[str, int] = {"anomaly": 1, "pattern_change": 2, "quantum_partition": 3}
_KIND_OF: dict[int, EventKind] = {1: "anomaly", 2: "pattern_change", 3: "quantum_partition"}
_ALIASES: dict[str, EventKind] = {
    "anomaly": "anomaly",
    "pattern": "pattern_change",
    "pattern_change": "pattern_change",
    "quantum": "quantum_partition",
    "partition": "quantum_partition",
    "quantum_partition": "quantum_partition",
}

_SOURCE: dict[EventKind, str] = {
    "anomaly": "neuromorphic",
    "pattern_change": "neuromorphic",
    "quantum_partition": "quantum",
}

#: (kind, step) keys remembered for de-duplication: far more than a reconnect resends.
_MAX_SEEN = 65_536


@dataclass(frozen=True)
class AnalysisEvent:
    """Something the analysis found about one step of the simulation (proto: AnalysisEvent)."""

    simulation_id: str
    step: int  # the frame's step (for partitions: the first step of the bucket)
    kind: EventKind
    score: float  # anomaly score, novelty of the new pattern, or the partition's energy
    reason: str  # one line for people
    produced_at_ms: int  # when the analysis service produced the result
    dropped_before: int  # events the server dropped just before this one (the client did not read)
    detail: dict[str, Any] = field(default_factory=dict)  # the result's key numbers
    message: Any = None  # the protobuf AnalysisEvent


def _detail(message: Any) -> dict[str, Any]:
    which = message.WhichOneof("detail")
    if which is None:
        return {}
    sub = getattr(message, which)
    return {f.name: value for f, value in sub.ListFields()}


def event_of(message: Any) -> AnalysisEvent | None:
    """The dataclass of a protobuf AnalysisEvent; None for a kind this SDK does not know."""
    kind = _KIND_OF.get(int(message.kind))
    if kind is None:
        return None
    return AnalysisEvent(
        simulation_id=message.simulation_id,
        step=int(message.step),
        kind=kind,
        score=float(message.score),
        reason=message.reason,
        produced_at_ms=int(message.produced_at_ms),
        dropped_before=int(message.dropped_before),
        detail=_detail(message),
        message=message,
    )


def event_kinds(kinds: bool | str | Iterable[str]) -> list[EventKind]:
    """``True``/``"all"``: every kind; else names or aliases (``anomaly``, ``pattern``, ``quantum``)."""
    if kinds is True or kinds == "all":
        return list(_PROTO_KIND)  # type: ignore[arg-type]
    names = [kinds] if isinstance(kinds, str) else list(kinds)  # type: ignore[arg-type]
    out: list[EventKind] = []
    for name in names:
        kind = _ALIASES.get(str(name).strip().lower())
        if kind is None:
            raise ValueError(f"unknown event kind {name!r}: use anomaly, pattern, quantum or all")
        if kind not in out:
            out.append(kind)
    return out


@dataclass
class EventStats:
    received: int = 0  # events received, duplicates included
    duplicates: int = 0  # (kind, step) seen before, not handed over again
    dropped_by_server: int = 0  # sum of dropped_before
    dropped_here: int = 0  # buffered for an iterator that did not read, then dropped


class EventInbox:
    def __init__(
        self,
        kinds: list[EventKind],
        anomaly_threshold: float | None,
        since_step: int | None,
        on_event: Callable[[AnalysisEvent], None] | None,
        max_buffered: int = 10_000,
    ) -> None:
        if anomaly_threshold is not None and not 0.0 <= anomaly_threshold <= 1.0:
            raise ValueError(f"anomaly_threshold must be in [0, 1], not {anomaly_threshold}")
        if since_step is not None and since_step < 0:
            raise ValueError(f"since_step must be >= 0, not {since_step}")
        self.kinds = kinds
        self.anomaly_threshold = anomaly_threshold
        self.stats = EventStats()
        self.closed = False
        self.iterating = False  # buffered only for an iterator: a callback alone keeps nothing
        self.buffer: deque[AnalysisEvent] = deque()
        self._max_buffered = max_buffered
        self._since = since_step
        self._last: dict[str, int] = {}  # last event step seen, per source
        self._seen: OrderedDict[tuple[str, int], None] = OrderedDict()
        self._on_event = on_event

    def subscription(self) -> Any:
        """The EventSubscription of the next OpenStream."""
        from simstream.v1 import ingestion_pb2

        sub = ingestion_pb2.EventSubscription()
        sub.kinds.extend(_PROTO_KIND[k] for k in self.kinds)
        if self.anomaly_threshold is not None:
            sub.anomaly_threshold = self.anomaly_threshold
        since = min(self._last.values()) if self._last else self._since
        if since is not None:
            sub.since_step = since
        return sub

    def accept(self, message: Any) -> Callable[[], None] | None:
        """One event from the stream; returns the callback to run (outside the lock), if any."""
        self.stats.received += 1
        self.stats.dropped_by_server += int(message.dropped_before)
        event = event_of(message)
        if event is None:
            return None
        key = (event.kind, event.step)
        if key in self._seen:
            self.stats.duplicates += 1
            return None
        self._seen[key] = None
        if len(self._seen) > _MAX_SEEN:
            self._seen.popitem(last=False)
        source = _SOURCE[event.kind]
        self._last[source] = max(self._last.get(source, event.step), event.step)
        if self.iterating:
            self.buffer.append(event)
            if len(self.buffer) > self._max_buffered:
                self.buffer.popleft()
                self.stats.dropped_here += 1
        on_event = self._on_event
        return None if on_event is None else lambda: on_event(event)
