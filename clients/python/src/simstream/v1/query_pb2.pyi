from simstream.v1 import results_pb2 as _results_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Simulation(_message.Message):
    __slots__ = ("simulation_id", "tenant", "kind", "attributes", "frames", "first_step", "last_step", "first_seen_ms", "last_seen_ms", "neuromorphic_results", "quantum_results", "last_anomaly_score")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    FIRST_STEP_FIELD_NUMBER: _ClassVar[int]
    LAST_STEP_FIELD_NUMBER: _ClassVar[int]
    FIRST_SEEN_MS_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_MS_FIELD_NUMBER: _ClassVar[int]
    NEUROMORPHIC_RESULTS_FIELD_NUMBER: _ClassVar[int]
    QUANTUM_RESULTS_FIELD_NUMBER: _ClassVar[int]
    LAST_ANOMALY_SCORE_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    tenant: str
    kind: str
    attributes: _containers.ScalarMap[str, str]
    frames: int
    first_step: int
    last_step: int
    first_seen_ms: int
    last_seen_ms: int
    neuromorphic_results: int
    quantum_results: int
    last_anomaly_score: float
    def __init__(self, simulation_id: _Optional[str] = ..., tenant: _Optional[str] = ..., kind: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ..., frames: _Optional[int] = ..., first_step: _Optional[int] = ..., last_step: _Optional[int] = ..., first_seen_ms: _Optional[int] = ..., last_seen_ms: _Optional[int] = ..., neuromorphic_results: _Optional[int] = ..., quantum_results: _Optional[int] = ..., last_anomaly_score: _Optional[float] = ...) -> None: ...

class ListSimulationsRequest(_message.Message):
    __slots__ = ("tenant", "page_size", "page_token")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    page_size: int
    page_token: str
    def __init__(self, tenant: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSimulationsResponse(_message.Message):
    __slots__ = ("simulations", "next_page_token")
    SIMULATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    simulations: _containers.RepeatedCompositeFieldContainer[Simulation]
    next_page_token: str
    def __init__(self, simulations: _Optional[_Iterable[_Union[Simulation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSimulationRequest(_message.Message):
    __slots__ = ("tenant", "simulation_id")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    simulation_id: str
    def __init__(self, tenant: _Optional[str] = ..., simulation_id: _Optional[str] = ...) -> None: ...

class ListResultsRequest(_message.Message):
    __slots__ = ("tenant", "simulation_id", "kind", "from_step", "to_step", "from_time_ms", "to_time_ms", "page_size", "page_token")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FROM_STEP_FIELD_NUMBER: _ClassVar[int]
    TO_STEP_FIELD_NUMBER: _ClassVar[int]
    FROM_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    TO_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    simulation_id: str
    kind: _results_pb2.ResultKind
    from_step: int
    to_step: int
    from_time_ms: int
    to_time_ms: int
    page_size: int
    page_token: str
    def __init__(self, tenant: _Optional[str] = ..., simulation_id: _Optional[str] = ..., kind: _Optional[_Union[_results_pb2.ResultKind, str]] = ..., from_step: _Optional[int] = ..., to_step: _Optional[int] = ..., from_time_ms: _Optional[int] = ..., to_time_ms: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListResultsResponse(_message.Message):
    __slots__ = ("results", "next_page_token")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[_results_pb2.Result]
    next_page_token: str
    def __init__(self, results: _Optional[_Iterable[_Union[_results_pb2.Result, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class TailResultsRequest(_message.Message):
    __slots__ = ("tenant", "simulation_id", "kind", "from_step", "latest_only")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FROM_STEP_FIELD_NUMBER: _ClassVar[int]
    LATEST_ONLY_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    simulation_id: str
    kind: _results_pb2.ResultKind
    from_step: int
    latest_only: bool
    def __init__(self, tenant: _Optional[str] = ..., simulation_id: _Optional[str] = ..., kind: _Optional[_Union[_results_pb2.ResultKind, str]] = ..., from_step: _Optional[int] = ..., latest_only: _Optional[bool] = ...) -> None: ...

class ExportArrowRequest(_message.Message):
    __slots__ = ("tenant", "simulation_id", "kind", "from_step", "to_step")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FROM_STEP_FIELD_NUMBER: _ClassVar[int]
    TO_STEP_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    simulation_id: str
    kind: _results_pb2.ResultKind
    from_step: int
    to_step: int
    def __init__(self, tenant: _Optional[str] = ..., simulation_id: _Optional[str] = ..., kind: _Optional[_Union[_results_pb2.ResultKind, str]] = ..., from_step: _Optional[int] = ..., to_step: _Optional[int] = ...) -> None: ...

class ArrowChunk(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    def __init__(self, data: _Optional[bytes] = ...) -> None: ...
