"""An in-process IngestionService (plaintext, no Kafka) to test the uploaders' window, resume and
rejection logic without the stack. It keeps what it "made durable" per simulation, can hold acks,
reject steps, break a stream after some frames and refuse streams with a status. A stream that
opts in to analysis events gets an ANOMALY event after each ack, and on open the events of every
durable step >= since_step again (at least once, as ingestion does).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc

from simstream.v1 import ingestion_pb2, ingestion_pb2_grpc


class FakeIngestion(ingestion_pb2_grpc.IngestionServiceServicer):  # type: ignore[misc]
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.durable: dict[str, int] = {}
        self.received: list[int] = []  # steps in arrival order, over all streams
        self.written: list[int] = []  # steps "made durable", in order
        self.streams = 0
        self.acks_open = threading.Event()
        self.acks_open.set()
        self.reject_steps: set[int] = set()
        self.break_after: int | None = None  # abort the next stream after this many frames
        self.lose_unacked = False  # with break_after: the frame that triggers the break is not durable
        self.refuse: grpc.StatusCode | None = None
        self.refusals = 0  # how many opens to refuse (with `refuse`); -1: all
        self.metadata: list[dict[str, str]] = []
        self.opens: list[Any] = []  # every OpenStream received

    def StreamFrames(self, request_iterator: Iterator[Any], context: Any) -> Iterator[Any]:
        with self.lock:
            self.streams += 1
            self.metadata.append(dict(context.invocation_metadata()))
            if self.refuse is not None and self.refusals != 0:
                self.refusals -= 1
                code = self.refuse
                context.abort(code, f"refused by the fake ({code.name})")
        first = next(request_iterator)
        sim = first.open.simulation_id
        events = first.open.events if first.open.HasField("events") else None
        with self.lock:
            self.opens.append(first.open)
        opened = ingestion_pb2.StreamOpened(
            simulation_id=sim,
            limits=ingestion_pb2.Limits(max_frame_bytes=1 << 20, max_stream_in_flight_bytes=1 << 26),
            server_id="fake",
        )
        if sim in self.durable:
            opened.last_durable_step = self.durable[sim]
        yield ingestion_pb2.StreamFramesResponse(opened=opened)
        if events is not None and events.HasField("since_step"):
            with self.lock:
                durable = self.durable.get(sim, -1)
                replay = [s for s in self.written if events.since_step <= s <= durable]
            for s in replay:
                yield self._event(sim, s)
        count = 0
        for request in request_iterator:
            step = request.frame.step
            with self.lock:
                self.received.append(step)
            self.acks_open.wait()
            count += 1
            with self.lock:
                if self.break_after is not None and count > self.break_after:
                    self.break_after = None
                    if not self.lose_unacked:
                        self._write(sim, step)
                    context.abort(grpc.StatusCode.UNAVAILABLE, "the fake broke the stream")
                if step in self.reject_steps or step <= self.durable.get(sim, -1):
                    yield ingestion_pb2.StreamFramesResponse(
                        rejected=ingestion_pb2.FrameRejected(
                            simulation_id=sim,
                            step=step,
                            code=3 if step in self.reject_steps else 9,
                            reason="SHAPE_MISMATCH" if step in self.reject_steps else "STEP_NOT_INCREASING",
                            message=f"step {step} refused",
                            violations=[
                                ingestion_pb2.FieldViolation(
                                    field="fields[0].data",
                                    description="wrong length",
                                    reason="SHAPE_MISMATCH",
                                )
                            ],
                        )
                    )
                    continue
                self._write(sim, step)
            yield ingestion_pb2.StreamFramesResponse(
                ack=ingestion_pb2.FrameAck(
                    simulation_id=sim,
                    step=step,
                    partition=0,
                    offset=len(self.written),
                    last_durable_step=step,
                )
            )
            if events is not None:
                yield self._event(sim, step)

    @staticmethod
    def _event(sim: str, step: int) -> Any:
        return ingestion_pb2.StreamFramesResponse(
            event=ingestion_pb2.AnalysisEvent(
                simulation_id=sim,
                step=step,
                kind=ingestion_pb2.ANALYSIS_EVENT_KIND_ANOMALY,
                score=0.99,
                reason="anomaly score 0.99 >= 0.90",
                produced_at_ms=1,
                neuromorphic=ingestion_pb2.NeuromorphicEventDetail(anomaly_score=0.99, pattern_id=2),
            )
        )

    def _write(self, sim: str, step: int) -> None:
        self.durable[sim] = step
        self.written.append(step)


class FakeServer:
    def __init__(self) -> None:
        self.fake = FakeIngestion()
        self.server: Any = None
        self.port = 0
        self.start()

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        ingestion_pb2_grpc.add_IngestionServiceServicer_to_server(self.fake, self.server)
        self.port = self.server.add_insecure_port(f"127.0.0.1:{self.port}")
        self.server.start()

    def stop(self) -> None:
        self.fake.acks_open.set()
        self.server.stop(grace=None).wait()
