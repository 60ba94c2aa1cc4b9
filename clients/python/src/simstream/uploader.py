"""Resumable, flow-controlled upload of one simulation's frames (blocking API, one background thread).

The behaviour of libs/client's FrameUploader: frames stay in a window until answered (`send`
blocks while it is full); when the stream breaks, the uploader reopens it with jittered
exponential backoff, learns the last durable step, drops what is durable and writes the rest
again in order. A restarted process calls `start()`, which returns the last durable step.

With ``events=`` (or ``on_event=``) the stream opts in to the simulation's analysis events:
``on_event`` is called once per (kind, step) and ``events()`` iterates them; a reopened stream
asks for the events since the last event step seen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any

import grpc

from simstream import _channel
from simstream._base import UploaderBase
from simstream._events import AnalysisEvent
from simstream._options import run_callback
from simstream._window import StreamBroken
from simstream.errors import UploadFailed
from simstream.frames import Codec, FieldValue, check_step, prepare_frame


class Uploader(UploaderBase):
    """Streams one simulation's frames to ingestion; every frame is acknowledged once durable.

    >>> with Uploader("heat-2d-run-7") as up:          # target, key and CA from SIMSTREAM_*
    ...     up.send(0, {"u": u0}, sim_time=0.0)
    """

    def _setup(self) -> None:
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Uploader:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()  # do not wait for acks after an error; a later start() resumes

    def start(self, timeout: float | None = None) -> int | None:
        """Opens the stream (reconnecting as configured); returns the last durable step or None."""
        with self._cond:
            if self._thread is None:
                if self._closed:
                    raise UploadFailed("the uploader is closed")
                self._channel = _channel.sync_channel(self._conn)
                self._thread = threading.Thread(
                    target=self._run, name=f"simstream-upload-{self.simulation_id}", daemon=True
                )
                self._thread.start()
            self._wait(lambda: self._state.opened, timeout, "the stream to open")
            if self._state.failure is not None:
                raise self._state.failure
            return self._state.last_durable_step

    def send(
        self,
        step: int,
        fields: Mapping[str, FieldValue],
        *,
        sim_time: float | None = None,
        attributes: Mapping[str, str] | None = None,
        codec: Codec | None = None,
    ) -> bool:
        """Queues a frame (its arrays are copied; reuse them at once); blocks while the window is full.

        Returns False when the step is already durable and skip_durable=True. Raises a pending
        FrameRejected (on_reject='raise') or UploadFailed first; the frame is then not sent.
        """
        step = check_step(step)
        with self._send_lock:
            self.start()
            with self._cond:
                if not self._state.admit(step):
                    return False
            frame = prepare_frame(
                self.simulation_id,
                step,
                fields,
                sim_time=sim_time,
                attributes=attributes,
                codec=self._codec if codec is None else codec,
                level=self._level,
                check_finite=self._check_finite,
            )
            self._check_size(frame)
            with self._cond:
                self._wait(lambda: self._state.window.has_room(frame.nbytes), None, "room in the window")
                if self._state.failure is not None:
                    raise self._state.failure
                self._state.enqueue(frame)
                self._cond.notify_all()
            return True

    def flush(self, timeout: float | None = None) -> None:
        """Returns once every frame sent is acknowledged (durable in Kafka) or rejected."""
        with self._cond:
            self._wait(lambda: len(self._state.window) == 0, timeout, "acknowledgements")
            self._state.raise_pending()

    def events(self, timeout: float | None = None) -> Iterator[AnalysisEvent]:
        """Analysis events as they arrive, once each, until the uploader closes (or `timeout`
        seconds pass without one). Needs ``events=`` or ``on_event=``; one reader at a time."""
        inbox = self._events_inbox()
        with self._cond:
            inbox.iterating = True  # from now on, not from the first next()
        return self._iterate_events(timeout)

    def _iterate_events(self, timeout: float | None) -> Iterator[AnalysisEvent]:
        inbox = self._events_inbox()
        while True:
            with self._cond:
                deadline = None if timeout is None else time.monotonic() + timeout
                while not inbox.buffer and not inbox.closed and not self._aborted:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return
                    self._cond.wait(remaining)
                if not inbox.buffer:
                    return
                event = inbox.buffer.popleft()
            yield event

    def close(self, timeout: float | None = None, *, events_linger: float = 0.0) -> None:
        """Flushes, then ends the stream; raises what flush would (after closing).

        ``events_linger``: seconds to keep the stream open after the last ack, for the analysis
        events of the last frames (the server sends none after the stream is half-closed).
        """
        if self._closed:
            return
        try:
            with self._cond:
                self._wait(lambda: len(self._state.window) == 0, timeout, "acknowledgements")
                if self._state.failure is not None:
                    raise self._state.failure
            if events_linger > 0:
                time.sleep(events_linger)
            with self._cond:
                self._state.closing = True
                self._cond.notify_all()
            if self._thread is not None:
                self._thread.join(timeout)
        finally:
            self._shutdown()
        with self._cond:
            self._state.raise_pending()

    def abort(self) -> None:
        """Stops at once; unacknowledged frames are dropped (a later uploader resumes)."""
        with self._cond:
            self._aborted = True
            self._state.closing = True
            call = self._call
            self._cond.notify_all()
        self._wake.set()
        if call is not None:
            call.cancel()
        self._shutdown()

    def _shutdown(self) -> None:
        self._closed = True
        self._aborted = True
        self._wake.set()
        with self._cond:
            if self._inbox is not None:
                self._inbox.closed = True
            call = self._call
            self._cond.notify_all()
        if call is not None:
            call.cancel()
        if self._channel is not None:
            self._channel.close()
        self._bar.close()

    # --- internals ---------------------------------------------------------------------------

    def _wait(self, done: Callable[[], bool], timeout: float | None, what: str) -> None:
        """Waits (holding the condition) until done() or a failure; TimeoutError after `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not done() and self._state.failure is None:
            if self._aborted:
                raise UploadFailed("the uploader was aborted")
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
            self._cond.wait(remaining)
        if self._state.failure is not None:
            raise self._state.failure

    def _requests(self, generation: int) -> Any:
        """The request stream of one generation: OpenStream, then window entries once it opened."""
        yield self._open()
        while True:
            with self._cond:
                while True:
                    if self._state.window.generation != generation or self._aborted:
                        return
                    if self._ready_generation == generation:
                        entry = self._state.window.next_unsent(generation)
                        if entry is not None:
                            break
                        if self._state.closing:
                            return
                    self._cond.wait()
            yield entry.frame.payload

    def _run(self) -> None:
        try:
            self._connect_loop()
        except Exception as error:  # a bug here must not leave send() waiting forever
            with self._cond:
                self._state.fail(UploadFailed(f"uploader thread failed: {error!r}", cause=error))
                self._cond.notify_all()

    def _connect_loop(self) -> None:
        state = self._state
        multi = _channel.stream_frames(self._channel)
        attempt = 0
        first_failure: float | None = None
        while True:
            with self._cond:
                if self._aborted:
                    return
                generation = state.window.new_generation()
                self._cond.notify_all()  # the previous generation's request stream ends
                call = multi(self._requests(generation), metadata=self._conn.metadata)
                self._call = call
            opened = False
            try:
                for response in call:
                    with self._cond:
                        if not opened:
                            if response.WhichOneof("kind") != "opened":
                                raise StreamBroken("the stream answered before StreamOpened")
                            callback = state.on_opened(response.opened)
                            self._ready_generation = generation
                            opened, attempt, first_failure = True, 0, None
                        else:
                            callback = state.on_response(response)
                        self._cond.notify_all()
                    run_callback(callback)
                with self._cond:
                    if state.closing:
                        return
                error = "stream ended by the server"
            except grpc.RpcError as rpc_error:
                with self._cond:
                    if self._aborted:
                        return
                    code, details = rpc_error.code(), rpc_error.details() or ""
                    failure = state.classify(code, details)
                    if failure is not None:
                        state.fail(failure)
                        self._cond.notify_all()
                        return
                error = f"{code.name}: {details}"
            except StreamBroken as broken:
                call.cancel()
                error = str(broken)
            if opened:  # an open stream broke: reopen at once
                with self._cond:
                    callback = state.reconnecting(0, error, 0.0)
                run_callback(callback)
                continue
            now = time.monotonic()
            first_failure = now if first_failure is None else first_failure
            if now - first_failure > self._reconnect.give_up_after:
                with self._cond:
                    state.fail(
                        UploadFailed(f"gave up reconnecting after {now - first_failure:.0f} s: {error}")
                    )
                    self._cond.notify_all()
                return
            attempt += 1
            delay = self._reconnect.delay(attempt - 1)
            with self._cond:
                callback = state.reconnecting(attempt, error, delay)
            run_callback(callback)
            if self._wake.wait(delay):
                return
