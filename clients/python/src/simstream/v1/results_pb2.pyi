from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ResultKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESULT_KIND_UNSPECIFIED: _ClassVar[ResultKind]
    RESULT_KIND_NEUROMORPHIC: _ClassVar[ResultKind]
    RESULT_KIND_QUANTUM: _ClassVar[ResultKind]
    RESULT_KIND_FRAME: _ClassVar[ResultKind]
RESULT_KIND_UNSPECIFIED: ResultKind
RESULT_KIND_NEUROMORPHIC: ResultKind
RESULT_KIND_QUANTUM: ResultKind
RESULT_KIND_FRAME: ResultKind

class FieldSummary(_message.Message):
    __slots__ = ("name", "dtype", "shape", "codec", "bytes", "min", "max", "mean", "std", "l2")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DTYPE_FIELD_NUMBER: _ClassVar[int]
    SHAPE_FIELD_NUMBER: _ClassVar[int]
    CODEC_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    STD_FIELD_NUMBER: _ClassVar[int]
    L2_FIELD_NUMBER: _ClassVar[int]
    name: str
    dtype: str
    shape: _containers.RepeatedScalarFieldContainer[int]
    codec: str
    bytes: int
    min: float
    max: float
    mean: float
    std: float
    l2: float
    def __init__(self, name: _Optional[str] = ..., dtype: _Optional[str] = ..., shape: _Optional[_Iterable[int]] = ..., codec: _Optional[str] = ..., bytes: _Optional[int] = ..., min: _Optional[float] = ..., max: _Optional[float] = ..., mean: _Optional[float] = ..., std: _Optional[float] = ..., l2: _Optional[float] = ...) -> None: ...

class FrameSummary(_message.Message):
    __slots__ = ("frame_id", "bytes", "partition", "offset", "fields")
    FRAME_ID_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    frame_id: str
    bytes: int
    partition: int
    offset: int
    fields: _containers.RepeatedCompositeFieldContainer[FieldSummary]
    def __init__(self, frame_id: _Optional[str] = ..., bytes: _Optional[int] = ..., partition: _Optional[int] = ..., offset: _Optional[int] = ..., fields: _Optional[_Iterable[_Union[FieldSummary, _Mapping]]] = ...) -> None: ...

class NeuromorphicOutput(_message.Message):
    __slots__ = ("anomaly_score", "raw_score", "feature_names", "features", "prediction", "spike_rate", "pattern_id", "novelty", "processing_ms", "backend", "model")
    ANOMALY_SCORE_FIELD_NUMBER: _ClassVar[int]
    RAW_SCORE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_NAMES_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_FIELD_NUMBER: _ClassVar[int]
    SPIKE_RATE_FIELD_NUMBER: _ClassVar[int]
    PATTERN_ID_FIELD_NUMBER: _ClassVar[int]
    NOVELTY_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_MS_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    anomaly_score: float
    raw_score: float
    feature_names: _containers.RepeatedScalarFieldContainer[str]
    features: _containers.RepeatedScalarFieldContainer[float]
    prediction: _containers.RepeatedScalarFieldContainer[float]
    spike_rate: float
    pattern_id: int
    novelty: float
    processing_ms: float
    backend: str
    model: str
    def __init__(self, anomaly_score: _Optional[float] = ..., raw_score: _Optional[float] = ..., feature_names: _Optional[_Iterable[str]] = ..., features: _Optional[_Iterable[float]] = ..., prediction: _Optional[_Iterable[float]] = ..., spike_rate: _Optional[float] = ..., pattern_id: _Optional[int] = ..., novelty: _Optional[float] = ..., processing_ms: _Optional[float] = ..., backend: _Optional[str] = ..., model: _Optional[str] = ...) -> None: ...

class QuantumOutput(_message.Message):
    __slots__ = ("problem_kind", "problem_hash", "variables", "solver", "backend", "energy", "cut", "imbalance", "solution", "reads", "sweeps", "time_to_best_ms", "total_ms", "stopped_by", "cached")
    PROBLEM_KIND_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_HASH_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    ENERGY_FIELD_NUMBER: _ClassVar[int]
    CUT_FIELD_NUMBER: _ClassVar[int]
    IMBALANCE_FIELD_NUMBER: _ClassVar[int]
    SOLUTION_FIELD_NUMBER: _ClassVar[int]
    READS_FIELD_NUMBER: _ClassVar[int]
    SWEEPS_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_BEST_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MS_FIELD_NUMBER: _ClassVar[int]
    STOPPED_BY_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    problem_kind: str
    problem_hash: str
    variables: int
    solver: str
    backend: str
    energy: float
    cut: float
    imbalance: float
    solution: bytes
    reads: int
    sweeps: int
    time_to_best_ms: float
    total_ms: float
    stopped_by: str
    cached: bool
    def __init__(self, problem_kind: _Optional[str] = ..., problem_hash: _Optional[str] = ..., variables: _Optional[int] = ..., solver: _Optional[str] = ..., backend: _Optional[str] = ..., energy: _Optional[float] = ..., cut: _Optional[float] = ..., imbalance: _Optional[float] = ..., solution: _Optional[bytes] = ..., reads: _Optional[int] = ..., sweeps: _Optional[int] = ..., time_to_best_ms: _Optional[float] = ..., total_ms: _Optional[float] = ..., stopped_by: _Optional[str] = ..., cached: _Optional[bool] = ...) -> None: ...

class Result(_message.Message):
    __slots__ = ("simulation_id", "step", "kind", "sim_time", "produced_at_ms", "score", "neuromorphic", "quantum", "frame")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SIM_TIME_FIELD_NUMBER: _ClassVar[int]
    PRODUCED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    NEUROMORPHIC_FIELD_NUMBER: _ClassVar[int]
    QUANTUM_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    step: int
    kind: ResultKind
    sim_time: float
    produced_at_ms: int
    score: float
    neuromorphic: NeuromorphicOutput
    quantum: QuantumOutput
    frame: FrameSummary
    def __init__(self, simulation_id: _Optional[str] = ..., step: _Optional[int] = ..., kind: _Optional[_Union[ResultKind, str]] = ..., sim_time: _Optional[float] = ..., produced_at_ms: _Optional[int] = ..., score: _Optional[float] = ..., neuromorphic: _Optional[_Union[NeuromorphicOutput, _Mapping]] = ..., quantum: _Optional[_Union[QuantumOutput, _Mapping]] = ..., frame: _Optional[_Union[FrameSummary, _Mapping]] = ...) -> None: ...
