"""Analysis events against the real stack: a stream that opts in hears of every anomaly (threshold 0:
every frame) and every quantum partition of its own frames, once each; a later stream asks for the
events since a step and gets them again (sync and asyncio uploaders)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import simstream
import simstream.aio
from simstream import Reconnect

from .conftest import StackEnv

pytestmark = pytest.mark.stack

QUICK = Reconnect(initial_delay=0.1, max_delay=1.0, give_up_after=120.0)
FRAMES = 20  # the harness's quantum service partitions every 10 steps


def field(step: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(step)
    return {"u": rng.standard_normal((32, 32)).astype(np.float32)}


def complete(events: list[simstream.AnalysisEvent]) -> bool:
    keys = {(e.kind, e.step) for e in events}
    return (
        all(("anomaly", s) in keys for s in range(FRAMES))
        and {
            ("quantum_partition", 0),
            ("quantum_partition", 10),
        }
        <= keys
    )


def test_the_events_of_the_frames_sent_arrive_once_each(stack_env: StackEnv, simulation_id: str) -> None:
    seen: list[simstream.AnalysisEvent] = []
    got: list[simstream.AnalysisEvent] = []
    with simstream.Uploader(
        simulation_id,
        events=["anomaly", "quantum"],
        anomaly_threshold=0.0,
        on_event=seen.append,
        reconnect=QUICK,
    ) as up:
        events = up.events(timeout=90)
        for step in range(FRAMES):
            up.send(step, field(step))
            time.sleep(0.02)
        up.flush()
        for event in events:
            got.append(event)
            if complete(got):
                break
        stats = up.event_stats
    assert complete(got), [(e.kind, e.step) for e in got]
    assert sorted(e.step for e in got if e.kind == "anomaly") == list(range(FRAMES))
    assert sorted(e.step for e in got if e.kind == "quantum_partition") == [0, 10]
    assert all(e.simulation_id == simulation_id for e in got)
    assert [(e.kind, e.step) for e in seen] == [(e.kind, e.step) for e in got]
    partition = next(e for e in got if e.kind == "quantum_partition")
    assert partition.detail["variables"] > 0 and partition.score == partition.detail["energy"]
    assert stats is not None and stats.duplicates == 0


async def test_aio_a_later_stream_gets_the_events_since_a_step_again(
    stack_env: StackEnv, simulation_id: str
) -> None:
    first: list[simstream.AnalysisEvent] = []
    async with simstream.aio.Uploader(
        simulation_id, events="anomaly", anomaly_threshold=0.0, reconnect=QUICK
    ) as up:
        events = up.events(timeout=90)
        for step in range(FRAMES):
            await up.send(step, field(step))
        await up.flush()
        async for event in events:
            first.append(event)
            if len(first) == FRAMES:
                break
    assert sorted(e.step for e in first) == list(range(FRAMES))

    again: list[int] = []
    later = simstream.aio.Uploader(
        simulation_id, events="anomaly", anomaly_threshold=0.0, since_step=12, reconnect=QUICK
    )
    replayed = later.events(timeout=60)  # before the stream opens: the history follows StreamOpened
    async with later:
        async for event in replayed:
            again.append(event.step)
            if len(again) == FRAMES - 12:
                break
    assert sorted(again) == list(range(12, FRAMES))
