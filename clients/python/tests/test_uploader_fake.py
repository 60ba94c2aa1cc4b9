"""The uploaders (sync and asyncio) against an in-process fake ingestion: window and backpressure,
resume after a broken stream, rejections, retriable and fatal statuses, settings from the env."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import numpy as np
import pytest

import simstream
import simstream.aio
from simstream import FrameRejected, Reconnect, StepError, UploadFailed
from simstream._channel import ConfigError, resolve
from simstream._window import UploadState, Window
from simstream.frames import prepare_frame

from .fake_ingestion import FakeServer

FAST = Reconnect(initial_delay=0.01, max_delay=0.05, give_up_after=5.0)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    s = FakeServer()
    yield s
    s.stop()


def uploader(server: FakeServer, sim: str = "sim-1", **kwargs: object) -> simstream.Uploader:
    return simstream.Uploader(
        sim,
        target=server.target,
        api_key="k1",
        insecure=True,
        reconnect=FAST,
        **kwargs,  # type: ignore[arg-type]
    )


def aio_uploader(server: FakeServer, sim: str = "sim-1", **kwargs: object) -> simstream.aio.Uploader:
    return simstream.aio.Uploader(
        sim,
        target=server.target,
        api_key="k1",
        insecure=True,
        reconnect=FAST,
        **kwargs,  # type: ignore[arg-type]
    )


def frame(step: int) -> dict[str, np.ndarray]:
    return {"u": np.full(4, step, dtype=np.float32)}


# --- the pure state machine ----------------------------------------------------------------------


def test_window_bounds_by_frames_and_bytes_and_lets_one_oversized_frame_through() -> None:
    w = Window(max_bytes=100, max_frames=2)
    assert w.has_room(1000)  # empty: anything goes, alone
    w.push(prepare_frame("s", 1, {"x": np.zeros(10, np.uint8)}))
    assert w.has_room(90) and not w.has_room(91)
    w.push(prepare_frame("s", 2, {"x": np.zeros(10, np.uint8)}))
    assert not w.has_room(1)  # frame bound


def test_window_generations_prune_and_answer() -> None:
    w = Window(max_bytes=1 << 20, max_frames=10)
    for step in range(1, 5):
        w.push(prepare_frame("s", step, {"x": np.zeros(1)}))
    g1 = w.new_generation()
    assert [w.next_unsent(g1).frame.step for _ in range(2)] == [1, 2]  # type: ignore[union-attr]
    assert w.answer(1).frame.step == 1
    g2 = w.new_generation()
    assert w.next_unsent(g1) is None  # an old stream writes nothing more
    assert w.written_before() == 1
    assert w.prune_durable(2) == 1 and w.nbytes == 16
    assert [e.frame.step for e in w.entries] == [3, 4]
    assert w.next_unsent(g2).frame.step == 3  # type: ignore[union-attr]
    with pytest.raises(Exception, match="does not match"):
        w.answer(4)


def test_state_admit_refuses_old_steps_and_skips_durable_ones() -> None:
    state = UploadState(
        "s", max_bytes=10, max_frames=1, on_reject="raise", skip_durable=False,
        on_ack=None, on_reject_callback=None, on_reconnect=None, progress=None,
    )  # fmt: skip
    state.last_durable_step = 10
    with pytest.raises(StepError, match="already durable") as info:
        state.admit(10)
    assert info.value.reason == "STEP_ALREADY_DURABLE"
    assert state.admit(11)
    state.enqueue(prepare_frame("s", 11, {"x": np.zeros(1)}))
    with pytest.raises(StepError, match="after the last step sent"):
        state.admit(11)
    state._skip_durable = True
    assert state.admit(5) is False and state.stats.skipped == 1
    assert state.classify(grpc.StatusCode.UNAVAILABLE, "") is None
    failed = state.classify(grpc.StatusCode.PERMISSION_DENIED, "no")
    assert failed is not None and failed.grpc_code == grpc.StatusCode.PERMISSION_DENIED


def test_reconnect_delays_grow_with_jitter_up_to_the_cap() -> None:
    policy = Reconnect(initial_delay=0.2, max_delay=5.0)
    for attempt, full in [(0, 0.2), (3, 1.6), (10, 5.0)]:
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)


def test_settings_come_from_arguments_then_environment(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(b"PEM")
    env = {"SIMSTREAM_INGEST": "h:1", "SIMSTREAM_API_KEY": "key", "SIMSTREAM_CA": str(ca)}
    conn = resolve(None, None, None, False, env)
    assert (conn.target, conn.root_certificates, conn.metadata) == (
        "h:1",
        b"PEM",
        (("authorization", "Bearer key"),),
    )
    assert resolve("x:2", "k2", None, True, env).root_certificates is None
    with pytest.raises(ConfigError, match=r"SIMSTREAM_INGEST.*SIMSTREAM_API_KEY"):
        resolve(None, None, None, False, {})
    with pytest.raises(ConfigError, match="cannot read the CA file"):
        resolve("h:1", "k", tmp_path / "missing.pem", False, {})


# --- sync uploader -------------------------------------------------------------------------------


def test_frames_are_acked_in_order_with_the_api_key(server: FakeServer) -> None:
    acks: list[int] = []
    with uploader(server, on_ack=lambda a: acks.append(a.step)) as up:
        for step in range(50):
            up.send(step, frame(step))
    assert server.fake.written == list(range(50)) and acks == list(range(50))
    assert up.stats.acked == 50 and up.unacked == 0
    assert server.fake.metadata[0]["authorization"] == "Bearer k1"


def test_send_blocks_while_the_window_is_full(server: FakeServer) -> None:
    server.fake.acks_open.clear()
    with uploader(server, max_unacked_frames=3) as up:
        for step in range(3):
            up.send(step, frame(step))
        fourth = threading.Thread(target=up.send, args=(3, frame(3)))
        fourth.start()
        fourth.join(0.3)
        assert fourth.is_alive() and up.unacked == 3
        server.fake.acks_open.set()
        fourth.join(5)
        assert not fourth.is_alive()
        up.flush(timeout=5)
        assert up.unacked == 0
    assert server.fake.written == [0, 1, 2, 3]


def test_flush_times_out_while_acks_are_held(server: FakeServer) -> None:
    server.fake.acks_open.clear()
    up = uploader(server)
    up.start()
    up.send(0, frame(0))
    with pytest.raises(TimeoutError):
        up.flush(timeout=0.2)
    server.fake.acks_open.set()
    up.close()


@pytest.mark.parametrize("lose_unacked", [False, True])
def test_a_broken_stream_is_reopened_and_resumes_after_the_durable_step(
    server: FakeServer, lose_unacked: bool
) -> None:
    server.fake.break_after = 20
    server.fake.lose_unacked = lose_unacked
    reconnects: list[simstream.ReconnectInfo] = []
    with uploader(server, on_reconnect=reconnects.append) as up:
        for step in range(100):
            up.send(step, frame(step))
    assert server.fake.written == list(range(100))  # each once, in order
    assert up.stats.reconnects == 1 and reconnects[0].attempt == 0
    assert up.stats.acked + up.stats.already_durable == 100
    assert up.stats.already_durable == (0 if lose_unacked else 1)
    assert up.stats.resent >= (1 if lose_unacked else 0)


def test_a_restarted_process_continues_after_the_last_durable_step(server: FakeServer) -> None:
    with uploader(server) as up:
        for step in range(5):
            up.send(step, frame(step))
    with uploader(server) as again:
        assert again.last_durable_step == 4
        with pytest.raises(StepError, match="step 3 of sim-1 is already durable"):
            again.send(3, frame(3))
        again.send(5, frame(5))
    with uploader(server, skip_durable=True) as skipping:
        assert skipping.send(4, frame(4)) is False and skipping.send(6, frame(6)) is True
        assert skipping.stats.skipped == 1
    assert server.fake.written == list(range(7))


def test_a_rejection_is_raised_by_the_next_call_and_the_stream_goes_on(server: FakeServer) -> None:
    server.fake.reject_steps = {3}
    up = uploader(server)
    up.start()
    for step in range(4):
        up.send(step, frame(step))
    with pytest.raises(FrameRejected) as info:
        up.flush()
    rejected = info.value
    assert (rejected.step, rejected.grpc_code, rejected.grpc_code_name, rejected.reason) == (
        3, 3, "INVALID_ARGUMENT", "SHAPE_MISMATCH",
    )  # fmt: skip
    assert rejected.violations[0].field == "fields[0].data" and "wrong length" in str(rejected)
    up.send(4, frame(4))
    up.close()
    assert server.fake.written == [0, 1, 2, 4] and up.stats.rejected == 1 and len(up.rejections) == 1


def test_collected_rejections_do_not_raise(server: FakeServer) -> None:
    server.fake.reject_steps = {1, 2}
    seen: list[FrameRejected] = []
    with uploader(server, on_reject=seen.append) as up:
        for step in range(4):
            up.send(step, frame(step))
    assert [r.step for r in up.rejections] == [1, 2] == [r.step for r in seen]
    with uploader(server, "sim-2", on_reject="collect") as up2:
        up2.send(1, frame(1))
    assert [r.step for r in up2.rejections] == [1]


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND]
)
def test_a_non_retriable_status_fails_the_upload(server: FakeServer, code: grpc.StatusCode) -> None:
    server.fake.refuse, server.fake.refusals = code, -1
    up = uploader(server)
    with pytest.raises(UploadFailed) as info:
        up.start(timeout=5)
    assert info.value.grpc_code == code and "refused by the fake" in str(info.value)
    assert server.fake.streams == 1
    with pytest.raises(UploadFailed):
        up.send(0, frame(0))
    up.abort()


def test_retriable_refusals_are_retried_then_given_up(server: FakeServer) -> None:
    server.fake.refuse, server.fake.refusals = grpc.StatusCode.UNAVAILABLE, 2
    with uploader(server) as up:
        up.send(0, frame(0))
    assert up.stats.failed_attempts == 2 and server.fake.written == [0]
    server.fake.refusals = -1
    quitter = simstream.Uploader(
        "sim-3", target=server.target, api_key="k", insecure=True,
        reconnect=Reconnect(initial_delay=0.01, max_delay=0.02, give_up_after=0.3),
    )  # fmt: skip
    started = time.monotonic()
    with pytest.raises(UploadFailed, match="gave up reconnecting"):
        quitter.start()
    assert time.monotonic() - started < 3
    quitter.abort()


def test_an_exception_in_the_with_block_aborts_without_waiting(server: FakeServer) -> None:
    server.fake.acks_open.clear()
    started = time.monotonic()
    with pytest.raises(KeyError), uploader(server) as up:
        up.send(0, frame(0))
        raise KeyError("simulation crashed")
    assert time.monotonic() - started < 2
    with pytest.raises(UploadFailed, match="closed"):
        up.send(1, frame(1))


def test_frames_above_the_servers_limit_are_refused_locally(server: FakeServer) -> None:
    with uploader(server) as up, pytest.raises(simstream.FrameError, match="at most 1048576"):
        up.send(0, {"big": np.zeros(300_000, dtype=np.float32)})


# --- asyncio uploader ----------------------------------------------------------------------------


async def test_aio_frames_are_acked_in_order(server: FakeServer) -> None:
    async with aio_uploader(server) as up:
        for step in range(50):
            await up.send(step, frame(step), codec="deflate" if step % 2 else None)
    assert server.fake.written == list(range(50)) and up.stats.acked == 50


async def test_aio_send_waits_while_the_window_is_full(server: FakeServer) -> None:
    server.fake.acks_open.clear()
    async with aio_uploader(server, max_unacked_frames=2) as up:
        await up.send(0, frame(0))
        await up.send(1, frame(1))
        third = asyncio.create_task(up.send(2, frame(2)))
        await asyncio.sleep(0.3)
        assert not third.done()
        server.fake.acks_open.set()
        await asyncio.wait_for(third, 5)
    assert server.fake.written == [0, 1, 2]


async def test_aio_resumes_after_a_broken_stream(server: FakeServer) -> None:
    server.fake.break_after = 10
    async with aio_uploader(server) as up:
        for step in range(60):
            await up.send(step, frame(step))
    assert server.fake.written == list(range(60)) and up.stats.reconnects == 1
    async with aio_uploader(server) as again:
        assert again.last_durable_step == 59


async def test_aio_rejections_and_fatal_statuses(server: FakeServer) -> None:
    server.fake.reject_steps = {2}
    up = aio_uploader(server)
    await up.start()
    for step in range(3):
        await up.send(step, frame(step))
    with pytest.raises(FrameRejected, match="SHAPE_MISMATCH"):
        await up.flush()
    await up.send(3, frame(3))
    await up.close()
    assert server.fake.written == [0, 1, 3]
    server.fake.refuse, server.fake.refusals = grpc.StatusCode.PERMISSION_DENIED, -1
    refused = aio_uploader(server, "sim-9")
    with pytest.raises(UploadFailed) as info:
        await refused.start()
    assert info.value.grpc_code == grpc.StatusCode.PERMISSION_DENIED
    await refused.abort()


def test_progress_bar_counts_answered_frames(server: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
    with uploader(server, progress=20) as up:
        for step in range(20):
            up.send(step, frame(step))
    assert "20/20" in capsys.readouterr().err


# --- analysis events -----------------------------------------------------------------------------


def test_events_arrive_once_each_through_the_callback_and_the_iterator(server: FakeServer) -> None:
    seen: list[simstream.AnalysisEvent] = []
    up = uploader(server, events=["anomaly", "pattern"], anomaly_threshold=0.8, on_event=seen.append)
    iterator = up.events(timeout=5)
    with up:
        for step in range(3):
            up.send(step, frame(step))
        up.flush()
        got = [next(iterator) for _ in range(3)]
    assert [(e.kind, e.step) for e in got] == [("anomaly", 0), ("anomaly", 1), ("anomaly", 2)]
    assert [e.step for e in seen] == [0, 1, 2]
    assert got[0].reason == "anomaly score 0.99 >= 0.90"
    assert got[0].detail["pattern_id"] == 2 and got[0].simulation_id == "sim-1"
    subscription = server.fake.opens[0].events
    assert list(subscription.kinds) == [1, 2]
    assert subscription.anomaly_threshold == pytest.approx(0.8)
    assert not subscription.HasField("since_step")
    assert list(iterator) == []  # closed: the iterator ends


def test_a_reopened_stream_asks_since_the_last_event_step_and_drops_duplicates(server: FakeServer) -> None:
    seen: list[int] = []
    server.fake.break_after = 3
    with uploader(server, on_event=lambda e: seen.append(e.step)) as up:
        for step in range(6):
            up.send(step, frame(step))
        up.flush()
        deadline = time.monotonic() + 5
        while len(seen) < 6 and time.monotonic() < deadline:
            time.sleep(0.01)
        stats = up.event_stats
    assert seen == [0, 1, 2, 3, 4, 5]
    assert len(server.fake.opens) == 2
    reopened = server.fake.opens[1].events
    assert reopened.HasField("since_step") and reopened.since_step == 2
    assert stats is not None and stats.duplicates >= 1  # the replay sent step 2 (and up) again


def test_an_upload_without_events_does_not_subscribe(server: FakeServer) -> None:
    with uploader(server) as up:
        up.send(0, frame(0))
        with pytest.raises(ValueError, match="without events"):
            up.events()
        assert up.event_stats is None
    assert not server.fake.opens[0].HasField("events")


def test_event_options_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown event kind"):
        simstream.Uploader("sim-x", target="127.0.0.1:1", insecure=True, events=["spikes"])
    with pytest.raises(ValueError, match=r"anomaly_threshold must be in \[0, 1\]"):
        simstream.Uploader("sim-x", target="127.0.0.1:1", insecure=True, events=True, anomaly_threshold=2)


async def test_aio_events_arrive_once_each(server: FakeServer) -> None:
    seen: list[int] = []
    up = aio_uploader(server, events="all", on_event=lambda e: seen.append(e.step))
    async with up:
        events = up.events(timeout=5)  # buffered from here on
        for step in range(3):
            await up.send(step, frame(step))
        await up.flush()
        got = []
        async for event in events:
            got.append((event.kind, event.step))
            if len(got) == 3:
                break
    assert got == [("anomaly", 0), ("anomaly", 1), ("anomaly", 2)]
    assert seen == [0, 1, 2]
    assert list(server.fake.opens[0].events.kinds) == [1, 2, 3]


def test_a_reopen_asks_since_the_slower_source_of_results() -> None:
    from simstream._events import EventInbox
    from simstream.v1 import ingestion_pb2

    inbox = EventInbox(["anomaly", "quantum_partition"], None, None, None)
    for kind, step in [(3, 80), (1, 95), (1, 97)]:
        inbox.accept(ingestion_pb2.AnalysisEvent(simulation_id="s", step=step, kind=kind))
    assert inbox.subscription().since_step == 80  # the partition of step 90 may still be coming
    inbox.accept(ingestion_pb2.AnalysisEvent(simulation_id="s", step=90, kind=3))
    assert inbox.subscription().since_step == 90
