from simstream.v1 import frame_pb2 as _frame_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AnalysisEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ANALYSIS_EVENT_KIND_UNSPECIFIED: _ClassVar[AnalysisEventKind]
    ANALYSIS_EVENT_KIND_ANOMALY: _ClassVar[AnalysisEventKind]
    ANALYSIS_EVENT_KIND_PATTERN_CHANGE: _ClassVar[AnalysisEventKind]
    ANALYSIS_EVENT_KIND_QUANTUM_PARTITION: _ClassVar[AnalysisEventKind]
ANALYSIS_EVENT_KIND_UNSPECIFIED: AnalysisEventKind
ANALYSIS_EVENT_KIND_ANOMALY: AnalysisEventKind
ANALYSIS_EVENT_KIND_PATTERN_CHANGE: AnalysisEventKind
ANALYSIS_EVENT_KIND_QUANTUM_PARTITION: AnalysisEventKind

class StreamFramesRequest(_message.Message):
    __slots__ = ("open", "frame")
    OPEN_FIELD_NUMBER: _ClassVar[int]
    FRAME_FIELD_NUMBER: _ClassVar[int]
    open: OpenStream
    frame: _frame_pb2.Frame
    def __init__(self, open: _Optional[_Union[OpenStream, _Mapping]] = ..., frame: _Optional[_Union[_frame_pb2.Frame, _Mapping]] = ...) -> None: ...

class OpenStream(_message.Message):
    __slots__ = ("simulation_id", "attributes", "events")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    attributes: _containers.ScalarMap[str, str]
    events: EventSubscription
    def __init__(self, simulation_id: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ..., events: _Optional[_Union[EventSubscription, _Mapping]] = ...) -> None: ...

class EventSubscription(_message.Message):
    __slots__ = ("kinds", "anomaly_threshold", "since_step")
    KINDS_FIELD_NUMBER: _ClassVar[int]
    ANOMALY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    SINCE_STEP_FIELD_NUMBER: _ClassVar[int]
    kinds: _containers.RepeatedScalarFieldContainer[AnalysisEventKind]
    anomaly_threshold: float
    since_step: int
    def __init__(self, kinds: _Optional[_Iterable[_Union[AnalysisEventKind, str]]] = ..., anomaly_threshold: _Optional[float] = ..., since_step: _Optional[int] = ...) -> None: ...

class StreamFramesResponse(_message.Message):
    __slots__ = ("opened", "ack", "rejected", "event")
    OPENED_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    opened: StreamOpened
    ack: FrameAck
    rejected: FrameRejected
    event: AnalysisEvent
    def __init__(self, opened: _Optional[_Union[StreamOpened, _Mapping]] = ..., ack: _Optional[_Union[FrameAck, _Mapping]] = ..., rejected: _Optional[_Union[FrameRejected, _Mapping]] = ..., event: _Optional[_Union[AnalysisEvent, _Mapping]] = ...) -> None: ...

class AnalysisEvent(_message.Message):
    __slots__ = ("simulation_id", "step", "kind", "score", "reason", "produced_at_ms", "dropped_before", "neuromorphic", "partition")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PRODUCED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    DROPPED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    NEUROMORPHIC_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    step: int
    kind: AnalysisEventKind
    score: float
    reason: str
    produced_at_ms: int
    dropped_before: int
    neuromorphic: NeuromorphicEventDetail
    partition: PartitionEventDetail
    def __init__(self, simulation_id: _Optional[str] = ..., step: _Optional[int] = ..., kind: _Optional[_Union[AnalysisEventKind, str]] = ..., score: _Optional[float] = ..., reason: _Optional[str] = ..., produced_at_ms: _Optional[int] = ..., dropped_before: _Optional[int] = ..., neuromorphic: _Optional[_Union[NeuromorphicEventDetail, _Mapping]] = ..., partition: _Optional[_Union[PartitionEventDetail, _Mapping]] = ...) -> None: ...

class NeuromorphicEventDetail(_message.Message):
    __slots__ = ("anomaly_score", "raw_score", "pattern_id", "previous_pattern_id", "novelty", "threshold")
    ANOMALY_SCORE_FIELD_NUMBER: _ClassVar[int]
    RAW_SCORE_FIELD_NUMBER: _ClassVar[int]
    PATTERN_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PATTERN_ID_FIELD_NUMBER: _ClassVar[int]
    NOVELTY_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    anomaly_score: float
    raw_score: float
    pattern_id: int
    previous_pattern_id: int
    novelty: float
    threshold: float
    def __init__(self, anomaly_score: _Optional[float] = ..., raw_score: _Optional[float] = ..., pattern_id: _Optional[int] = ..., previous_pattern_id: _Optional[int] = ..., novelty: _Optional[float] = ..., threshold: _Optional[float] = ...) -> None: ...

class PartitionEventDetail(_message.Message):
    __slots__ = ("energy", "cut", "imbalance", "variables", "solver", "cached")
    ENERGY_FIELD_NUMBER: _ClassVar[int]
    CUT_FIELD_NUMBER: _ClassVar[int]
    IMBALANCE_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    SOLVER_FIELD_NUMBER: _ClassVar[int]
    CACHED_FIELD_NUMBER: _ClassVar[int]
    energy: float
    cut: float
    imbalance: float
    variables: int
    solver: str
    cached: bool
    def __init__(self, energy: _Optional[float] = ..., cut: _Optional[float] = ..., imbalance: _Optional[float] = ..., variables: _Optional[int] = ..., solver: _Optional[str] = ..., cached: _Optional[bool] = ...) -> None: ...

class StreamOpened(_message.Message):
    __slots__ = ("simulation_id", "last_durable_step", "limits", "server_id")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_DURABLE_STEP_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    last_durable_step: int
    limits: Limits
    server_id: str
    def __init__(self, simulation_id: _Optional[str] = ..., last_durable_step: _Optional[int] = ..., limits: _Optional[_Union[Limits, _Mapping]] = ..., server_id: _Optional[str] = ...) -> None: ...

class Limits(_message.Message):
    __slots__ = ("max_frame_bytes", "max_stream_in_flight_bytes", "chunk_bytes")
    MAX_FRAME_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_STREAM_IN_FLIGHT_BYTES_FIELD_NUMBER: _ClassVar[int]
    CHUNK_BYTES_FIELD_NUMBER: _ClassVar[int]
    max_frame_bytes: int
    max_stream_in_flight_bytes: int
    chunk_bytes: int
    def __init__(self, max_frame_bytes: _Optional[int] = ..., max_stream_in_flight_bytes: _Optional[int] = ..., chunk_bytes: _Optional[int] = ...) -> None: ...

class FrameAck(_message.Message):
    __slots__ = ("simulation_id", "step", "partition", "offset", "chunks", "last_durable_step")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    LAST_DURABLE_STEP_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    step: int
    partition: int
    offset: int
    chunks: int
    last_durable_step: int
    def __init__(self, simulation_id: _Optional[str] = ..., step: _Optional[int] = ..., partition: _Optional[int] = ..., offset: _Optional[int] = ..., chunks: _Optional[int] = ..., last_durable_step: _Optional[int] = ...) -> None: ...

class FrameRejected(_message.Message):
    __slots__ = ("simulation_id", "step", "code", "reason", "message", "violations")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    step: int
    code: int
    reason: str
    message: str
    violations: _containers.RepeatedCompositeFieldContainer[FieldViolation]
    def __init__(self, simulation_id: _Optional[str] = ..., step: _Optional[int] = ..., code: _Optional[int] = ..., reason: _Optional[str] = ..., message: _Optional[str] = ..., violations: _Optional[_Iterable[_Union[FieldViolation, _Mapping]]] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "description", "reason")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    reason: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class IngestBatchRequest(_message.Message):
    __slots__ = ("frames",)
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    frames: _containers.RepeatedCompositeFieldContainer[_frame_pb2.Frame]
    def __init__(self, frames: _Optional[_Iterable[_Union[_frame_pb2.Frame, _Mapping]]] = ...) -> None: ...

class IngestBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[FrameResult]
    def __init__(self, results: _Optional[_Iterable[_Union[FrameResult, _Mapping]]] = ...) -> None: ...

class FrameResult(_message.Message):
    __slots__ = ("ack", "rejected")
    ACK_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    ack: FrameAck
    rejected: FrameRejected
    def __init__(self, ack: _Optional[_Union[FrameAck, _Mapping]] = ..., rejected: _Optional[_Union[FrameRejected, _Mapping]] = ...) -> None: ...

class GetStatusRequest(_message.Message):
    __slots__ = ("simulation_id",)
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    def __init__(self, simulation_id: _Optional[str] = ...) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("server_id", "ready", "open_streams", "in_flight_bytes", "max_in_flight_bytes", "frames_acked", "frames_rejected", "simulation_id", "last_durable_step")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    READY_FIELD_NUMBER: _ClassVar[int]
    OPEN_STREAMS_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_IN_FLIGHT_BYTES_FIELD_NUMBER: _ClassVar[int]
    FRAMES_ACKED_FIELD_NUMBER: _ClassVar[int]
    FRAMES_REJECTED_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_DURABLE_STEP_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    ready: bool
    open_streams: int
    in_flight_bytes: int
    max_in_flight_bytes: int
    frames_acked: int
    frames_rejected: int
    simulation_id: str
    last_durable_step: int
    def __init__(self, server_id: _Optional[str] = ..., ready: _Optional[bool] = ..., open_streams: _Optional[int] = ..., in_flight_bytes: _Optional[int] = ..., max_in_flight_bytes: _Optional[int] = ..., frames_acked: _Optional[int] = ..., frames_rejected: _Optional[int] = ..., simulation_id: _Optional[str] = ..., last_durable_step: _Optional[int] = ...) -> None: ...
