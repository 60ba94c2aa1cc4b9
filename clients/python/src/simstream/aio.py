"""The asyncio uploader (grpc.aio): the same window, resume and rejection semantics as
simstream.Uploader, with `async with` / `await up.send(...)` / `await up.flush()`.

One task reads responses and reopens broken streams; per stream generation, a writer task
writes window entries (each `write` waits for HTTP/2 flow control). Analysis events as in
simstream.Uploader: ``on_event``, or ``async for event in up.events()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Mapping
from types import TracebackType
from typing import Any

import grpc
import grpc.aio

from simstream import _channel
from simstream._base import UploaderBase
from simstream._events import AnalysisEvent
from simstream._options import run_callback
from simstream._window import StreamBroken
from simstream.errors import UploadFailed
from simstream.frames import Codec, FieldValue, check_step, prepare_frame

__all__ = ["Uploader"]


class Uploader(UploaderBase):
    """`async with simstream.aio.Uploader(sim_id) as up: await up.send(step, {"u": arr})`."""

    def _setup(self) -> None:
        self._cond: asyncio.Condition | None = None  # made in the running loop
        self._send_lock: asyncio.Lock | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Uploader:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            await self.close()
        else:
            await self.abort()

    def _condition(self) -> asyncio.Condition:
        if self._cond is None:
            self._cond = asyncio.Condition()
            self._send_lock = asyncio.Lock()
        return self._cond

    async def start(self, timeout: float | None = None) -> int | None:
        """Opens the stream (reconnecting as configured); returns the last durable step or None."""
        cond = self._condition()
        if self._task is None:
            if self._closed:
                raise UploadFailed("the uploader is closed")
            self._channel = _channel.aio_channel(self._conn)
            self._task = asyncio.create_task(self._run(), name=f"simstream-upload-{self.simulation_id}")
        async with cond:
            await self._wait(lambda: self._state.opened, timeout, "the stream to open")
        return self._state.last_durable_step

    async def send(
        self,
        step: int,
        fields: Mapping[str, FieldValue],
        *,
        sim_time: float | None = None,
        attributes: Mapping[str, str] | None = None,
        codec: Codec | None = None,
    ) -> bool:
        """As simstream.Uploader.send; waits (without blocking the loop) while the window is full."""
        step = check_step(step)
        cond = self._condition()
        assert self._send_lock is not None
        async with self._send_lock:
            await self.start()
            if not self._state.admit(step):
                return False
            kwargs: dict[str, Any] = dict(
                sim_time=sim_time,
                attributes=attributes,
                codec=self._codec if codec is None else codec,
                level=self._level,
                check_finite=self._check_finite,
            )
            if kwargs["codec"] == "none":
                frame = prepare_frame(self.simulation_id, step, fields, **kwargs)
            else:  # compression is slow: keep the loop free
                frame = await asyncio.to_thread(prepare_frame, self.simulation_id, step, fields, **kwargs)
            self._check_size(frame)
            async with cond:
                await self._wait(
                    lambda: self._state.window.has_room(frame.nbytes), None, "room in the window"
                )
                self._state.enqueue(frame)
                cond.notify_all()
            return True

    async def flush(self, timeout: float | None = None) -> None:
        """Returns once every frame sent is acknowledged (durable in Kafka) or rejected."""
        async with self._condition():
            await self._wait(lambda: len(self._state.window) == 0, timeout, "acknowledgements")
            self._state.raise_pending()

    def events(self, timeout: float | None = None) -> AsyncIterator[AnalysisEvent]:
        """As simstream.Uploader.events: `async for event in up.events(): ...`."""
        self._events_inbox().iterating = True  # from now on, not from the first __anext__
        return self._iterate_events(timeout)

    async def _iterate_events(self, timeout: float | None) -> AsyncIterator[AnalysisEvent]:
        inbox = self._events_inbox()
        cond = self._condition()
        while True:
            async with cond:
                ready = lambda: bool(inbox.buffer) or inbox.closed or self._aborted  # noqa: E731
                try:
                    await asyncio.wait_for(cond.wait_for(ready), timeout)
                except asyncio.TimeoutError:
                    return
                if not inbox.buffer:
                    return
                event = inbox.buffer.popleft()
            yield event

    async def close(self, timeout: float | None = None, *, events_linger: float = 0.0) -> None:
        """Flushes, then ends the stream; raises what flush would (after closing).
        ``events_linger``: as simstream.Uploader.close."""
        if self._closed:
            return
        cond = self._condition()
        try:
            async with cond:
                await self._wait(lambda: len(self._state.window) == 0, timeout, "acknowledgements")
            if events_linger > 0:
                await asyncio.sleep(events_linger)
            async with cond:
                self._state.closing = True
                cond.notify_all()
            if self._task is not None:
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
        finally:
            await self._shutdown()
        self._state.raise_pending()

    async def abort(self) -> None:
        """Stops at once; unacknowledged frames are dropped (a later uploader resumes)."""
        self._state.closing = True
        await self._shutdown()

    async def _shutdown(self) -> None:
        self._closed = True
        self._aborted = True
        if self._inbox is not None:
            self._inbox.closed = True
        if self._call is not None:
            self._call.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._cond is not None:
            async with self._cond:
                self._cond.notify_all()
        if self._channel is not None:
            await self._channel.close()
            self._channel = None
        self._bar.close()

    async def _wait(self, done: Callable[[], bool], timeout: float | None, what: str) -> None:
        """Waits (holding the condition) until done() or a failure; TimeoutError after `timeout`."""
        assert self._cond is not None
        stop = lambda: done() or self._state.failure is not None or self._aborted  # noqa: E731
        try:
            await asyncio.wait_for(self._cond.wait_for(stop), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}") from None
        if self._state.failure is not None:
            raise self._state.failure
        if not done():
            raise UploadFailed("the uploader was aborted")

    async def _notify(self) -> None:
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()

    async def _pump(self, call: Any, generation: int) -> None:
        """Writes the window's entries not yet written on this generation, then half-closes on close."""
        assert self._cond is not None
        window = self._state.window
        try:
            while True:
                async with self._cond:
                    await self._cond.wait_for(
                        lambda: (
                            window.generation != generation
                            or self._aborted
                            or window.has_unsent(generation)
                            or self._state.closing
                        )
                    )
                    if window.generation != generation or self._aborted:
                        return
                    entry = window.next_unsent(generation)
                if entry is None:  # closing, and everything is answered
                    await call.done_writing()
                    return
                await call.write(entry.frame.payload)
        except asyncio.CancelledError:
            raise
        except Exception:
            call.cancel()  # the reader sees the end of the call and reconnects

    async def _run(self) -> None:
        try:
            await self._connect_loop()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug here must not leave send() waiting forever
            self._state.fail(UploadFailed(f"uploader task failed: {error!r}", cause=error))
            await self._notify()

    async def _connect_loop(self) -> None:
        assert self._cond is not None
        state = self._state
        multi = _channel.stream_frames(self._channel)
        attempt = 0
        first_failure: float | None = None
        while not self._aborted:
            async with self._cond:
                generation = state.window.new_generation()
                self._cond.notify_all()
            call = multi(metadata=self._conn.metadata)
            self._call = call
            opened = False
            writer: asyncio.Task[None] | None = None
            try:
                await call.write(self._open())
                while True:
                    response = await call.read()
                    if response is grpc.aio.EOF:
                        break
                    async with self._cond:
                        if not opened:
                            if response.WhichOneof("kind") != "opened":
                                raise StreamBroken("the stream answered before StreamOpened")
                            callback = state.on_opened(response.opened)
                            self._ready_generation = generation
                            opened, attempt, first_failure = True, 0, None
                            writer = asyncio.create_task(self._pump(call, generation))
                        else:
                            callback = state.on_response(response)
                        self._cond.notify_all()
                    run_callback(callback)
                if state.closing:
                    return
                error = "stream ended by the server"
            except grpc.aio.AioRpcError as rpc_error:
                if self._aborted:
                    return
                code, details = rpc_error.code(), rpc_error.details() or ""
                failure = state.classify(code, details)
                if failure is not None:
                    state.fail(failure)
                    await self._notify()
                    return
                error = f"{code.name}: {details}"
            except StreamBroken as broken:
                call.cancel()
                error = str(broken)
            finally:
                if writer is not None:
                    writer.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await writer
            if opened:
                run_callback(state.reconnecting(0, error, 0.0))
                continue
            now = time.monotonic()
            first_failure = now if first_failure is None else first_failure
            if now - first_failure > self._reconnect.give_up_after:
                state.fail(UploadFailed(f"gave up reconnecting after {now - first_failure:.0f} s: {error}"))
                await self._notify()
                return
            attempt += 1
            delay = self._reconnect.delay(attempt - 1)
            run_callback(state.reconnecting(attempt, error, delay))
            await asyncio.sleep(delay)
