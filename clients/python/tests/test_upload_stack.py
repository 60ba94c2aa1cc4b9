"""The uploaders against the real stack: frames byte-identical in Kafka with the acks' offsets,
kill -9 of ingestion mid-stream, precise rejections, and the asyncio variant."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import simstream
import simstream.aio
from simstream import FrameError, FrameRejected, RawField, Reconnect, UploadFailed

from .conftest import Control, KafkaFrame, StackEnv

pytestmark = pytest.mark.stack

# Short backoff: ingestion comes back within seconds after a kill.
QUICK = Reconnect(initial_delay=0.1, max_delay=1.0, give_up_after=120.0)


def fields_for(sim: int, step: int) -> dict[str, np.ndarray]:
    """Small arrays of mixed dtypes (one big-endian, one non-contiguous), the same for the same step."""
    rng = np.random.default_rng((sim, step))
    return {
        "u": rng.standard_normal(16).astype(np.float32),
        "n": rng.integers(-(2**15), 2**15, size=(2, 4), dtype=np.int16),
        "mask": rng.integers(0, 2, size=5).astype(np.bool_),
        "h": rng.standard_normal((3, 2)).astype(">f2"),
        "c": rng.integers(0, 2**63, size=(4, 2), dtype=np.uint64)[:, 0],
    }


def little_endian_bytes(arr: np.ndarray) -> bytes:
    return np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()


def stored(frame: KafkaFrame) -> dict[str, tuple[str, list[int], bytes]]:
    out = {}
    for f in frame.fields:
        data = f.data
        if f.codec == "deflate":
            data = zlib.decompress(data)
        elif f.codec == "gzip":
            data = gzip.decompress(data)
        out[f.name] = (f.dtype, f.shape, data)
    return out


def expected(sim: int, step: int) -> dict[str, tuple[str, list[int], bytes]]:
    out = {}
    for name, arr in fields_for(sim, step).items():
        dtype = "bool" if arr.dtype == np.bool_ else arr.dtype.newbyteorder("=").name
        out[name] = (dtype, list(arr.shape), little_endian_bytes(arr))
    return out


def upload(
    env: StackEnv, sim_id: str, sim: int, steps: range, acks: dict[int, tuple[int, int]], **kwargs: object
) -> simstream.UploadStats:
    def on_ack(ack: object) -> None:
        acks[ack.step] = (ack.partition, ack.offset)  # type: ignore[attr-defined]

    with simstream.Uploader(
        sim_id,
        attributes={"kind": "test"},
        on_ack=on_ack,
        reconnect=QUICK,
        **kwargs,  # type: ignore[arg-type]
    ) as up:
        for step in steps:
            up.send(
                step, fields_for(sim, step), sim_time=step * 0.5, codec="deflate" if step % 3 == 0 else None
            )
    return up.stats


def test_10000_frames_over_4_simulations_arrive_byte_identical_in_order_at_the_acked_offsets(
    stack_env: StackEnv, control: Control, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [f"py-bulk-{i}-{time.time_ns() % 10**9}" for i in range(4)]
    acks: list[dict[int, tuple[int, int]]] = [{} for _ in ids]
    stats: list[simstream.UploadStats] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            stats.append(upload(stack_env, ids[i], i, range(2500), acks[i]))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    assert not errors, errors
    assert all(s.acked == 2500 and s.rejected == 0 for s in stats)
    frames = control.kafka_frames(ids, count=10_000)
    assert len(frames) == 10_000
    for i, sim_id in enumerate(ids):
        mine = [f for f in frames if f.simulation_id == sim_id]
        assert [f.step for f in mine] == list(range(2500))  # in order, none missing or doubled
        for f in mine:
            assert (f.partition, f.offset) == acks[i][f.step]
            assert f.sim_time == f.step * 0.5 and f.attributes == {"kind": "test"}
            assert stored(f) == expected(i, f.step), (sim_id, f.step)
            assert [x.codec for x in f.fields] == ["deflate" if f.step % 3 == 0 else "none"] * 5


def kill_and_restart_after(control: Control, acked: Callable[[], int], at: int) -> threading.Thread:
    def run() -> None:
        while acked() < at:
            time.sleep(0.005)
        control.kill9_ingestion()
        control.start_ingestion()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def assert_exactly_once(control: Control, sim_id: str, total: int, acks: dict[int, tuple[int, int]]) -> None:
    frames = control.kafka_frames([sim_id], count=total)
    counts = Counter(f.step for f in frames)
    assert sorted(counts) == list(range(total)) and set(counts.values()) == {1}, [
        s for s, c in counts.items() if c != 1
    ]
    assert [f.step for f in frames] == list(range(total))
    for f in frames:
        if f.step in acks:
            assert (f.partition, f.offset) == acks[f.step]
        assert stored(f) == expected(7, f.step)


def test_kill_9_of_ingestion_mid_stream_resumes_and_every_step_is_in_kafka_once(
    stack_env: StackEnv, control: Control, simulation_id: str
) -> None:
    total = 1500
    acks: dict[int, tuple[int, int]] = {}
    killer = kill_and_restart_after(control, lambda: len(acks), 300)
    stats = upload(stack_env, simulation_id, 7, range(total), acks)
    killer.join(60)
    assert not killer.is_alive()
    assert stats.reconnects >= 1
    assert stats.acked + stats.already_durable == total and stats.rejected == 0
    assert_exactly_once(control, simulation_id, total, acks)
    # A new process resumes from the last durable step.
    with simstream.Uploader(simulation_id) as again:
        assert again.last_durable_step == total - 1


def test_bad_frames_get_precise_errors_and_the_stream_goes_on(
    stack_env: StackEnv, control: Control, simulation_id: str
) -> None:
    nan = np.ones(4)
    nan[2] = np.nan
    with simstream.Uploader(simulation_id, on_reject="collect") as up:
        up.send(0, {"u": np.ones(4)})
        up.send(1, {"u": RawField("float32", (4,), b"\x00" * 15)})  # 15 bytes for 16
        up.send(2, {"u": np.ones(4)})
        up.send(3, {"ok": np.ones(2), "u": nan})  # INGEST_CHECK_FINITE=true in the harness
        with pytest.raises(FrameError, match=r"'z'.*complex64"):
            up.send(4, {"z": np.zeros(3, dtype=np.complex64)})
        with pytest.raises(FrameError, match=r"'o'.*object"):
            up.send(4, {"o": np.array(["a", None], dtype=object)})
        with pytest.raises(FrameError, match=r"'s'.*<U"):
            up.send(4, {"s": np.array(["text"])})
        up.send(4, {"u": np.ones(4)})
        up.flush()
        assert up.stats.acked == 3 and up.stats.rejected == 2
    shape, finite = up.rejections
    assert (shape.step, shape.grpc_code_name, shape.reason) == (1, "INVALID_ARGUMENT", "SHAPE_MISMATCH")
    assert [(v.field, v.reason) for v in shape.violations] == [("fields[0].data", "SHAPE_MISMATCH")]
    assert "15 bytes" in shape.violations[0].description
    assert (finite.step, finite.reason) == (3, "NON_FINITE_VALUE")
    assert [(v.field, v.reason) for v in finite.violations] == [("fields[1].data", "NON_FINITE_VALUE")]
    assert [f.step for f in control.kafka_frames([simulation_id], count=3)] == [0, 2, 4]
    # The default raises the rejection from the next call; later frames still go.
    with simstream.Uploader(simulation_id) as up2:
        up2.send(5, {"u": RawField("int8", (2, 2), b"\x00")})
        with pytest.raises(FrameRejected) as info:
            up2.flush()
        assert info.value.reason == "SHAPE_MISMATCH" and info.value.step == 5
        up2.send(6, {"u": np.ones(4)})
    assert up2.stats.acked == 1


def test_a_wrong_api_key_fails_the_upload_with_the_grpc_code(stack_env: StackEnv, simulation_id: str) -> None:
    up = simstream.Uploader(simulation_id, api_key="sk_nope_wrong")
    with pytest.raises(UploadFailed) as info:
        up.start()
    assert info.value.grpc_code_name == "UNAUTHENTICATED"
    up.abort()


# --- asyncio -------------------------------------------------------------------------------------


async def aio_upload(
    sim_id: str, sim: int, steps: range, acks: dict[int, tuple[int, int]]
) -> simstream.UploadStats:
    def on_ack(ack: object) -> None:
        acks[ack.step] = (ack.partition, ack.offset)  # type: ignore[attr-defined]

    async with simstream.aio.Uploader(
        sim_id, attributes={"kind": "test"}, on_ack=on_ack, reconnect=QUICK
    ) as up:
        for step in steps:
            await up.send(
                step, fields_for(sim, step), sim_time=step * 0.5, codec="deflate" if step % 3 == 0 else None
            )
    return up.stats


async def test_aio_frames_arrive_byte_identical_at_the_acked_offsets(
    control: Control, stack_env: StackEnv
) -> None:
    ids = [f"py-aio-{i}-{time.time_ns() % 10**9}" for i in range(2)]
    acks: list[dict[int, tuple[int, int]]] = [{}, {}]
    stats = await asyncio.gather(*(aio_upload(ids[i], i, range(1000), acks[i]) for i in range(2)))
    assert all(s.acked == 1000 for s in stats)
    frames = await asyncio.to_thread(control.kafka_frames, ids, 2000)
    for i, sim_id in enumerate(ids):
        mine = [f for f in frames if f.simulation_id == sim_id]
        assert [f.step for f in mine] == list(range(1000))
        for f in mine:
            assert (f.partition, f.offset) == acks[i][f.step]
            assert stored(f) == expected(i, f.step)


async def test_aio_kill_9_resumes_and_every_step_is_in_kafka_once(
    control: Control, stack_env: StackEnv, simulation_id: str
) -> None:
    total = 1200
    acks: dict[int, tuple[int, int]] = {}
    killer = kill_and_restart_after(control, lambda: len(acks), 250)
    stats = await aio_upload(simulation_id, 7, range(total), acks)
    await asyncio.to_thread(killer.join, 60)
    assert stats.reconnects >= 1 and stats.acked + stats.already_durable == total
    await asyncio.to_thread(assert_exactly_once, control, simulation_id, total, acks)


async def test_aio_rejections_keep_the_stream_going(
    control: Control, stack_env: StackEnv, simulation_id: str
) -> None:
    async with simstream.aio.Uploader(simulation_id) as up:
        await up.send(0, {"u": np.ones(3)})
        await up.send(1, {"u": RawField("float64", (3,), b"\x00" * 23)})
        with pytest.raises(FrameRejected) as info:
            await up.flush()
        assert (info.value.step, info.value.reason) == (1, "SHAPE_MISMATCH")
        with pytest.raises(FrameError, match="complex64"):
            await up.send(2, {"z": np.zeros(2, dtype=np.complex64)})
        await up.send(2, {"u": np.ones(3)})
    assert up.stats.acked == 2
    frames = await asyncio.to_thread(control.kafka_frames, [simulation_id], 2)
    assert [f.step for f in frames] == [0, 2]


def test_the_readme_quick_example_runs_as_is(
    control: Control, stack_env: StackEnv, simulation_id: str
) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert '"heat-2d-example"' in code
    # Ids are global (the first tenant claims one): the test's own id, not the README's.
    exec(compile(code.replace('"heat-2d-example"', repr(simulation_id)), "README.md", "exec"), {})
    frames = control.kafka_frames([simulation_id], count=200)
    assert [f.step for f in frames] == list(range(200))
    assert {f.name: f.dtype for f in frames[0].fields} == {"u": "float32", "mask": "bool"}
