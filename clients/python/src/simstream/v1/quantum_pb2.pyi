from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProblemKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROBLEM_KIND_UNSPECIFIED: _ClassVar[ProblemKind]
    PROBLEM_KIND_ISING: _ClassVar[ProblemKind]
    PROBLEM_KIND_QUBO: _ClassVar[ProblemKind]
    PROBLEM_KIND_MAXCUT: _ClassVar[ProblemKind]

class JobStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STATUS_UNSPECIFIED: _ClassVar[JobStatus]
    JOB_STATUS_QUEUED: _ClassVar[JobStatus]
    JOB_STATUS_RUNNING: _ClassVar[JobStatus]
    JOB_STATUS_SUCCEEDED: _ClassVar[JobStatus]
    JOB_STATUS_FAILED: _ClassVar[JobStatus]
    JOB_STATUS_CANCELLED: _ClassVar[JobStatus]
PROBLEM_KIND_UNSPECIFIED: ProblemKind
PROBLEM_KIND_ISING: ProblemKind
PROBLEM_KIND_QUBO: ProblemKind
PROBLEM_KIND_MAXCUT: ProblemKind
JOB_STATUS_UNSPECIFIED: JobStatus
JOB_STATUS_QUEUED: JobStatus
JOB_STATUS_RUNNING: JobStatus
JOB_STATUS_SUCCEEDED: JobStatus
JOB_STATUS_FAILED: JobStatus
JOB_STATUS_CANCELLED: JobStatus

class Problem(_message.Message):
    __slots__ = ("kind", "variables", "linear", "i", "j", "value", "offset")
    KIND_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    LINEAR_FIELD_NUMBER: _ClassVar[int]
    I_FIELD_NUMBER: _ClassVar[int]
    J_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    kind: ProblemKind
    variables: int
    linear: _containers.RepeatedScalarFieldContainer[float]
    i: _containers.RepeatedScalarFieldContainer[int]
    j: _containers.RepeatedScalarFieldContainer[int]
    value: _containers.RepeatedScalarFieldContainer[float]
    offset: float
    def __init__(self, kind: _Optional[_Union[ProblemKind, str]] = ..., variables: _Optional[int] = ..., linear: _Optional[_Iterable[float]] = ..., i: _Optional[_Iterable[int]] = ..., j: _Optional[_Iterable[int]] = ..., value: _Optional[_Iterable[float]] = ..., offset: _Optional[float] = ...) -> None: ...

class SolverParams(_message.Message):
    __slots__ = ("solver", "seed", "time_limit_ms", "reads", "target_energy")
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_MS_FIELD_NUMBER: _ClassVar[int]
    READS_FIELD_NUMBER: _ClassVar[int]
    TARGET_ENERGY_FIELD_NUMBER: _ClassVar[int]
    solver: str
    seed: int
    time_limit_ms: int
    reads: int
    target_energy: float
    def __init__(self, solver: _Optional[str] = ..., seed: _Optional[int] = ..., time_limit_ms: _Optional[int] = ..., reads: _Optional[int] = ..., target_energy: _Optional[float] = ...) -> None: ...

class SolveRequest(_message.Message):
    __slots__ = ("tenant", "problem", "params")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    problem: Problem
    params: SolverParams
    def __init__(self, tenant: _Optional[str] = ..., problem: _Optional[_Union[Problem, _Mapping]] = ..., params: _Optional[_Union[SolverParams, _Mapping]] = ...) -> None: ...

class SolveProgress(_message.Message):
    __slots__ = ("best_energy", "elapsed_ms", "sweeps")
    BEST_ENERGY_FIELD_NUMBER: _ClassVar[int]
    ELAPSED_MS_FIELD_NUMBER: _ClassVar[int]
    SWEEPS_FIELD_NUMBER: _ClassVar[int]
    best_energy: float
    elapsed_ms: float
    sweeps: int
    def __init__(self, best_energy: _Optional[float] = ..., elapsed_ms: _Optional[float] = ..., sweeps: _Optional[int] = ...) -> None: ...

class SolveResult(_message.Message):
    __slots__ = ("energy", "solution", "cut", "reads", "sweeps", "time_to_best_ms", "total_ms", "solver", "backend", "stopped_by", "problem_hash", "cached")
    ENERGY_FIELD_NUMBER: _ClassVar[int]
    SOLUTION_FIELD_NUMBER: _ClassVar[int]
    CUT_FIELD_NUMBER: _ClassVar[int]
    READS_FIELD_NUMBER: _ClassVar[int]
    SWEEPS_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_BEST_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MS_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    STOPPED_BY_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_HASH_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    energy: float
    solution: bytes
    cut: float
    reads: int
    sweeps: int
    time_to_best_ms: float
    total_ms: float
    solver: str
    backend: str
    stopped_by: str
    problem_hash: str
    cached: bool
    def __init__(self, energy: _Optional[float] = ..., solution: _Optional[bytes] = ..., cut: _Optional[float] = ..., reads: _Optional[int] = ..., sweeps: _Optional[int] = ..., time_to_best_ms: _Optional[float] = ..., total_ms: _Optional[float] = ..., solver: _Optional[str] = ..., backend: _Optional[str] = ..., stopped_by: _Optional[str] = ..., problem_hash: _Optional[str] = ..., cached: _Optional[bool] = ...) -> None: ...

class SolveUpdate(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: SolveProgress
    result: SolveResult
    def __init__(self, progress: _Optional[_Union[SolveProgress, _Mapping]] = ..., result: _Optional[_Union[SolveResult, _Mapping]] = ...) -> None: ...

class SubmitJobRequest(_message.Message):
    __slots__ = ("tenant", "problem", "params", "idempotency_key")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    problem: Problem
    params: SolverParams
    idempotency_key: str
    def __init__(self, tenant: _Optional[str] = ..., problem: _Optional[_Union[Problem, _Mapping]] = ..., params: _Optional[_Union[SolverParams, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("job_id", "tenant", "status", "submitted_at_ms", "started_at_ms", "finished_at_ms", "result", "error", "variables")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    tenant: str
    status: JobStatus
    submitted_at_ms: int
    started_at_ms: int
    finished_at_ms: int
    result: SolveResult
    error: str
    variables: int
    def __init__(self, job_id: _Optional[str] = ..., tenant: _Optional[str] = ..., status: _Optional[_Union[JobStatus, str]] = ..., submitted_at_ms: _Optional[int] = ..., started_at_ms: _Optional[int] = ..., finished_at_ms: _Optional[int] = ..., result: _Optional[_Union[SolveResult, _Mapping]] = ..., error: _Optional[str] = ..., variables: _Optional[int] = ...) -> None: ...

class GetJobRequest(_message.Message):
    __slots__ = ("tenant", "job_id")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    job_id: str
    def __init__(self, tenant: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class CancelJobRequest(_message.Message):
    __slots__ = ("tenant", "job_id")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    job_id: str
    def __init__(self, tenant: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...
