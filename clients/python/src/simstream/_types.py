"""The gateway's JSON answers as TypedDicts (the dicts json.loads returns; typing only).

Fields follow services/gateway/src/http/schemas.ts; times are ISO 8601 strings or None.
"""

from __future__ import annotations

from typing import Literal, TypedDict

ResultKind = Literal["neuromorphic", "quantum", "frame"]
JobStatus = Literal["unspecified", "queued", "running", "succeeded", "failed", "cancelled"]


class Simulation(TypedDict, total=False):
    simulation_id: str
    tenant: str
    kind: str
    attributes: dict[str, str]
    frames: int
    first_step: int
    last_step: int
    first_seen: str | None
    last_seen: str | None
    neuromorphic_results: int
    quantum_results: int
    last_anomaly_score: float | None


class NeuromorphicResult(TypedDict, total=False):
    anomaly_score: float
    raw_score: float
    feature_names: list[str]
    features: list[float]
    prediction: list[float]
    spike_rate: float
    pattern_id: int
    novelty: float
    processing_ms: float
    backend: str
    model: str


class QuantumResult(TypedDict, total=False):
    problem_kind: str
    problem_hash: str
    variables: int
    solver: str
    backend: str
    energy: float
    cut: float | None
    imbalance: float | None
    solution: list[int]
    reads: int
    sweeps: int
    time_to_best_ms: float
    total_ms: float
    stopped_by: str
    cached: bool


class FrameFieldStats(TypedDict, total=False):
    name: str
    dtype: str
    shape: list[int]
    codec: str
    bytes: int
    min: float
    max: float
    mean: float
    std: float
    l2: float


class FrameResult(TypedDict, total=False):
    frame_id: str
    bytes: int
    partition: int
    offset: int
    fields: list[FrameFieldStats]


class Result(TypedDict, total=False):
    """One result record; exactly one of `neuromorphic`, `quantum`, `frame` is present, as `kind` says."""

    simulation_id: str
    step: int
    kind: str
    sim_time: float
    produced_at: str | None
    score: float
    neuromorphic: NeuromorphicResult
    quantum: QuantumResult
    frame: FrameResult


class SolveResult(TypedDict, total=False):
    energy: float
    solution: list[int]
    cut: float | None
    reads: int
    sweeps: int
    time_to_best_ms: float
    total_ms: float
    solver: str
    backend: str
    stopped_by: str
    problem_hash: str
    cached: bool


class Progress(TypedDict, total=False):
    """A `progress` event of a streamed solve: the best energy so far."""

    best_energy: float
    elapsed_ms: float
    sweeps: int


class Job(TypedDict, total=False):
    job_id: str
    status: JobStatus
    variables: int
    submitted_at: str | None
    started_at: str | None
    finished_at: str | None
    result: SolveResult | None
    error: str | None


class Problem(TypedDict, total=False):
    """An optimisation problem in sparse form: `linear` (h or Q_ii; empty for Max-Cut) and the
    pairwise terms as parallel arrays i, j, value (0-based, each pair once)."""

    kind: Literal["ising", "qubo", "maxcut"]
    variables: int
    linear: list[float]
    i: list[int]
    j: list[int]
    value: list[float]
    offset: float
