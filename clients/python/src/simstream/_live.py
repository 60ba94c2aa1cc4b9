"""Live results: an iterator over the `result` events of the gateway's SSE stream that survives
disconnects. After a dropped connection, a clean end (the gateway closes clients that lag), a
heartbeat that does not come, or a retriable `error` event, it reconnects with Last-Event-ID
(the step of the last result it yielded) and the gateway resumes from the next step: history
first, then the live tail, so nothing is missed and nothing repeats.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator, Mapping
from types import TracebackType
from typing import Any, cast

import httpx

from ._http import _BROKEN_OR_SILENT, Http
from ._problem import ApiConnectionError, ApiError
from ._sse import SseDecoder
from ._types import Result


class _Reconnect(Exception):
    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class ResultStream(Iterator[Result]):
    """Iterate for results (blocking until the next one); close() or a `with` block ends it."""

    def __init__(
        self,
        http: Http,
        path: str,
        params: Mapping[str, Any],
        *,
        latest_only: bool,
        heartbeat_timeout: float,
        max_failures: int,
        last_event_id: str | None = None,
    ) -> None:
        self._http = http
        self._path = path
        self._params = dict(params)
        self._latest_only = latest_only
        self._timeout = httpx.Timeout(http.client.timeout.connect or 10.0, read=heartbeat_timeout)
        self._max_failures = max_failures
        self.last_event_id = last_event_id
        """Step (as text) of the last result yielded: what a reconnection resumes after."""
        self.reconnects = 0
        """Connections opened after the first one."""
        self._events = self._run()

    def __next__(self) -> Result:
        return next(self._events)

    def __iter__(self) -> ResultStream:
        return self

    def close(self) -> None:
        self._events.close()

    def __enter__(self) -> ResultStream:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _run(self) -> Generator[Result, None, None]:
        failures = 0  # consecutive connections that delivered nothing
        retry_ms: int | None = None
        while True:
            delivered = False
            try:
                for result, advice in self._connect():
                    retry_ms = advice if advice is not None else retry_ms
                    if result is not None:
                        delivered = True
                        failures = 0
                        yield result
                failure: Exception = ApiConnectionError("the event stream ended")
            except _Reconnect as reconnect:
                failure = reconnect.cause
            except ApiError as error:
                # Opening failed: a 404 or 401 will not heal; 429/5xx and lost connections may.
                if not error.retriable:
                    raise
                failure = error
            if not delivered:
                failures += 1
                if failures >= self._max_failures:
                    raise failure
            retry_after = failure.retry_after if isinstance(failure, ApiError) else None
            base = retry_ms / 1000 if retry_ms is not None else None
            self._http.sleep(self._http.policy.delay(max(failures - 1, 0), retry_after, base))
            self.reconnects += 1

    def _connect(self) -> Iterator[tuple[Result | None, int | None]]:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        params = dict(self._params)
        if self.last_event_id is not None and not self._latest_only:
            headers["Last-Event-ID"] = self.last_event_id
            params.pop("from_step", None)
        # One attempt per connection: this loop is the retry policy (it knows about Last-Event-ID).
        with self._http.stream(
            "GET", self._path, params=params, headers=headers, timeout=self._timeout, attempts=1
        ) as response:
            decoder = SseDecoder()
            try:
                for chunk in response.iter_bytes():
                    for event in decoder.feed(chunk):
                        if event.event == "result":
                            result = cast(Result, json.loads(event.data))
                            if event.id is not None:
                                self.last_event_id = event.id
                            yield result, decoder.retry_ms
                        elif event.event == "error":
                            problem = json.loads(event.data)
                            error = ApiError.from_problem(problem if isinstance(problem, dict) else {})
                            if not error.retriable:
                                raise error
                            raise _Reconnect(error)
                    yield None, decoder.retry_ms
            except _BROKEN_OR_SILENT as error:
                raise _Reconnect(
                    ApiConnectionError(f"event stream broke: {type(error).__name__}: {error}")
                ) from error
