"""Fixtures for tests against the real stack.

Tests marked `stack` need the services the repository starts. test/integration/python-sdk.test.ts
(part of `./dev test`) starts them (ingestion, neuromorphic, quantum, query, gateway on the local
Kafka, Postgres, Redis and InfluxDB), then runs pytest with:

  SIMSTREAM_INGEST        host:port of ingestion's public gRPC port (TLS, API key)
  SIMSTREAM_GATEWAY       the gateway's base URL
  SIMSTREAM_API_KEY       a key of the test tenant with the ingest and read scopes
  SIMSTREAM_CA            the CA file that signed ingestion's certificate
  SIMSTREAM_TEST_CONTROL  URL of the harness's control endpoint (kill/restart ingestion, read Kafka)
  SIMSTREAM_REQUIRE_STACK 1: a missing variable fails the stack tests instead of skipping them

Without them (a plain `pytest`), the stack tests are skipped and the unit tests run.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

STACK_VARIABLES = (
    "SIMSTREAM_INGEST",
    "SIMSTREAM_GATEWAY",
    "SIMSTREAM_API_KEY",
    "SIMSTREAM_CA",
    "SIMSTREAM_TEST_CONTROL",
)


@dataclass(frozen=True)
class StackEnv:
    ingest: str
    gateway: str
    api_key: str
    ca: str
    control: str


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [v for v in STACK_VARIABLES if not os.environ.get(v)]
    if not missing:
        return
    if os.environ.get("SIMSTREAM_REQUIRE_STACK") == "1":
        raise pytest.UsageError(f"SIMSTREAM_REQUIRE_STACK=1 but {', '.join(missing)} not set")
    skip = pytest.mark.skip(reason=f"needs the stack ({', '.join(missing)} not set): run via ./dev test")
    for item in items:
        if "stack" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def stack_env() -> StackEnv:
    return StackEnv(*(os.environ[v] for v in STACK_VARIABLES))


@dataclass(frozen=True)
class KafkaField:
    name: str
    dtype: str  # float32, uint8 ... (the Avro enum symbol in lower case)
    shape: list[int]
    codec: str  # none, deflate, gzip
    data: bytes  # as stored in Kafka (compressed when codec is not none)


@dataclass(frozen=True)
class KafkaFrame:
    simulation_id: str
    step: int
    sim_time: float
    attributes: dict[str, str]
    fields: list[KafkaField]
    tenant: str
    partition: int
    offset: int


class Control:
    """The harness's control endpoint: ingestion's process and the frames topic."""

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=httpx.Timeout(180.0))

    def kill9_ingestion(self) -> None:
        """SIGKILL ingestion; returns once the process is gone (its ports refuse connections)."""
        self._http.post("/ingestion/kill9").raise_for_status()

    def start_ingestion(self) -> None:
        """Starts ingestion again on the same ports; returns once it is ready."""
        self._http.post("/ingestion/start").raise_for_status()

    def kafka_frames(
        self, simulation_ids: list[str], count: int, timeout_s: float = 120.0
    ) -> list[KafkaFrame]:
        """Every frame of these simulations written to the frames topic since the harness started.

        Reads (with simstream's own consumer: chunks reassembled, Avro decoded) until `count`
        records of them have been seen, then 0.5 s more so that duplicates would show (callers read
        after their acks: anything written twice was written before them); in Kafka order.
        """
        response = self._http.post(
            "/kafka/frames",
            json={"simulation_ids": simulation_ids, "count": count, "timeout_ms": int(timeout_s * 1000)},
            timeout=timeout_s + 30,
        )
        response.raise_for_status()
        return [_frame(f) for f in response.json()["frames"]]

    def close(self) -> None:
        self._http.close()


def _frame(raw: dict[str, Any]) -> KafkaFrame:
    fields = [
        KafkaField(f["name"], f["dtype"], list(f["shape"]), f["codec"], base64.b64decode(f["data"]))
        for f in raw["fields"]
    ]
    return KafkaFrame(
        raw["simulation_id"],
        raw["step"],
        raw["sim_time"],
        dict(raw["attributes"]),
        fields,
        raw["tenant"],
        raw["partition"],
        raw["offset"],
    )


@pytest.fixture(scope="session")
def control(stack_env: StackEnv) -> Iterator[Control]:
    c = Control(stack_env.control)
    yield c
    c.close()


@pytest.fixture
def simulation_id() -> str:
    """A fresh simulation id (the test tenant claims it on first use)."""
    return f"py-{uuid.uuid4().hex[:12]}"
