"""The generated stubs alone (no SDK code) against the stack: what any grpcio user built from proto/ sees."""

from __future__ import annotations

import os

import grpc
import pytest

from simstream.v1 import frame_pb2, ingestion_pb2, ingestion_pb2_grpc

from .conftest import Control, StackEnv

pytestmark = pytest.mark.stack


def test_one_frame_through_the_raw_stubs_is_acked_and_in_kafka(
    stack_env: StackEnv, control: Control, simulation_id: str
) -> None:
    with open(stack_env.ca, "rb") as f:
        credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
    data = os.urandom(4096)
    with grpc.secure_channel(stack_env.ingest, credentials) as channel:
        stub = ingestion_pb2_grpc.IngestionServiceStub(channel)
        requests = [
            ingestion_pb2.StreamFramesRequest(open=ingestion_pb2.OpenStream(simulation_id=simulation_id)),
            ingestion_pb2.StreamFramesRequest(
                frame=frame_pb2.Frame(
                    step=7,
                    sim_time=0.5,
                    fields=[frame_pb2.Field(name="u", dtype=frame_pb2.DTYPE_UINT8, shape=[4096], data=data)],
                )
            ),
        ]
        responses = list(
            stub.StreamFrames(iter(requests), metadata=[("authorization", f"Bearer {stack_env.api_key}")])
        )
    assert responses[0].WhichOneof("kind") == "opened"
    assert not responses[0].opened.HasField("last_durable_step")
    ack = responses[1].ack
    assert (ack.simulation_id, ack.step, ack.last_durable_step) == (simulation_id, 7, 7)
    [frame] = control.kafka_frames([simulation_id], count=1)
    assert (frame.step, frame.sim_time, frame.partition, frame.offset) == (7, 0.5, ack.partition, ack.offset)
    assert [(f.name, f.dtype, f.shape, f.codec, f.data) for f in frame.fields] == [
        ("u", "uint8", [4096], "none", data)
    ]


def test_a_wrong_api_key_is_refused_before_anything_is_read(stack_env: StackEnv, simulation_id: str) -> None:
    with open(stack_env.ca, "rb") as f:
        credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
    with grpc.secure_channel(stack_env.ingest, credentials) as channel:
        stub = ingestion_pb2_grpc.IngestionServiceStub(channel)
        request = ingestion_pb2.StreamFramesRequest(
            open=ingestion_pb2.OpenStream(simulation_id=simulation_id)
        )
        with pytest.raises(grpc.RpcError) as failure:
            list(stub.StreamFrames(iter([request]), metadata=[("authorization", "Bearer sk_nope_wrong")]))
    assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED
