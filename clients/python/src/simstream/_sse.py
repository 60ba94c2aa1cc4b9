"""An incremental text/event-stream decoder (the WHATWG "interpreting an event stream" rules).

Our own rather than httpx-sse: it is sixty lines, the live iterator needs the parts a plain
parser hides (the persisted last event id and the `retry:` advice that drive reconnection), and
the package keeps one HTTP dependency. Bytes go in as they arrive, whole events come out.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_EOL = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SseEvent:
    event: str
    """The event type (`message` when the event named none)."""
    data: str
    """The data lines joined by newlines."""
    id: str | None
    """The last event id at dispatch (ids persist across events, as in EventSource)."""


class SseDecoder:
    """Feed bytes, get events; comments (heartbeats) and incomplete events yield nothing."""

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF belongs to it
        self._started = False
        self._data: list[str] = []
        self._event = ""
        self._id_buffer = ""
        self.last_event_id: str | None = None
        self.retry_ms: int | None = None

    def feed(self, chunk: bytes) -> list[SseEvent]:
        return self.feed_text(self._text.decode(chunk))

    def feed_text(self, text: str) -> list[SseEvent]:
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._skip_lf and text:
            text = text.removeprefix("\n")
        if text:
            self._skip_lf = False
        events: list[SseEvent] = []
        buffer = self._pending + text
        start = 0
        for match in _EOL.finditer(buffer):
            end = match.end()
            if match.group() == "\r" and end == len(buffer):
                self._skip_lf = True
            event = self._line(buffer[start : match.start()])
            if event is not None:
                events.append(event)
            start = end
        self._pending = buffer[start:]
        return events

    def _line(self, line: str) -> SseEvent | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id_buffer = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry_ms = int(value)
        return None

    def _dispatch(self) -> SseEvent | None:
        self.last_event_id = self._id_buffer or None
        data, event = self._data, self._event
        self._data, self._event = [], ""
        if not data:
            return None
        return SseEvent(event or "message", "\n".join(data), self.last_event_id)
