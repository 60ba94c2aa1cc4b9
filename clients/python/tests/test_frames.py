"""simstream.frames: dtype/shape/byte-order mapping, codecs, refusals, and the hand-written wire format."""

from __future__ import annotations

import gzip
import zlib

import numpy as np
import pytest

from simstream import FrameError, RawField
from simstream.frames import DTYPE_NAMES, open_request, prepare_frame
from simstream.v1 import frame_pb2, ingestion_pb2

NUMPY = {
    "float32": np.float32,
    "float64": np.float64,
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "uint16": np.uint16,
    "int32": np.int32,
    "uint32": np.uint32,
    "int64": np.int64,
    "uint64": np.uint64,
    "float16": np.float16,
    "bool": np.bool_,
}


def parse(payload: bytes) -> frame_pb2.Frame:
    request = ingestion_pb2.StreamFramesRequest.FromString(payload)
    assert request.WhichOneof("kind") == "frame"
    return request.frame


def sample(dtype: type, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if dtype is np.bool_:
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if np.issubdtype(dtype, np.floating):
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


@pytest.mark.parametrize("name", list(NUMPY))
def test_every_dtype_maps_to_its_wire_type_little_endian(name: str) -> None:
    arr = sample(NUMPY[name], (3, 4), np.random.default_rng(1))
    field = parse(prepare_frame("sim", 1, {"x": arr}).payload).fields[0]
    assert DTYPE_NAMES[field.dtype] == name
    assert list(field.shape) == [3, 4]
    assert field.data == arr.astype(arr.dtype.newbyteorder("<")).tobytes()


@pytest.mark.parametrize("name", [n for n in NUMPY if np.dtype(NUMPY[n]).itemsize > 1])
def test_big_endian_input_is_byteswapped(name: str) -> None:
    arr = sample(NUMPY[name], (5,), np.random.default_rng(2))
    big = arr.astype(arr.dtype.newbyteorder(">"))
    field = parse(prepare_frame("sim", 1, {"x": big}).payload).fields[0]
    assert DTYPE_NAMES[field.dtype] == name
    assert field.data == arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    np.testing.assert_array_equal(np.frombuffer(field.data, dtype=arr.dtype.newbyteorder("<")), arr)


def test_non_contiguous_and_fortran_arrays_are_sent_row_major() -> None:
    base = np.arange(48, dtype=np.float64).reshape(6, 8)
    for arr in (base[:, ::2], base.T, np.asfortranarray(base), base[::-1]):
        field = parse(prepare_frame("sim", 1, {"x": arr}).payload).fields[0]
        assert list(field.shape) == list(arr.shape)
        assert field.data == np.ascontiguousarray(arr).tobytes()


def test_zero_d_array_and_python_scalars_travel_as_shape_1() -> None:
    frame = parse(
        prepare_frame("sim", 1, {"a": np.float32(2.5), "b": np.array(7, dtype=np.int64), "c": 1.5}).payload
    )
    assert [list(f.shape) for f in frame.fields] == [[1], [1], [1]]
    assert np.frombuffer(frame.fields[0].data, "<f4")[0] == 2.5
    assert np.frombuffer(frame.fields[1].data, "<i8")[0] == 7
    assert DTYPE_NAMES[frame.fields[2].dtype] == "float64"


def test_lists_become_arrays() -> None:
    frame = parse(prepare_frame("sim", 1, {"a": [[1, 2], [3, 4]]}).payload)
    assert list(frame.fields[0].shape) == [2, 2]


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 0, 2)])
def test_empty_arrays_are_refused_before_sending(shape: tuple[int, ...]) -> None:
    with pytest.raises(FrameError, match=r"'e'.*empty") as info:
        prepare_frame("sim", 1, {"e": np.zeros(shape)})
    assert info.value.reason == "SHAPE_INVALID" and info.value.field == "e"


def test_more_than_8_dimensions_are_refused() -> None:
    with pytest.raises(FrameError, match="9 dimensions"):
        prepare_frame("sim", 1, {"x": np.zeros((1,) * 9)})


@pytest.mark.parametrize(
    ("value", "dtype_text"),
    [
        (np.zeros(3, dtype=np.complex64), "complex64"),
        (np.array([object(), 1], dtype=object), "object"),
        (np.array(["a", "b"]), "<U1"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), "datetime64[D]"),
        (np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]), "[('a', '<f4'), ('b', '<i4')]"),
        (np.zeros(2, dtype=np.longdouble), "float128"),
    ],
)
def test_unknown_dtypes_raise_a_precise_frame_error(value: np.ndarray, dtype_text: str) -> None:
    with pytest.raises(FrameError) as info:
        prepare_frame("sim", 1, {"ok": np.zeros(2), "bad": value})
    assert isinstance(info.value, ValueError)
    assert info.value.field == "bad" and info.value.reason == "DTYPE_UNKNOWN"
    assert "'bad'" in str(info.value) and dtype_text in str(info.value)


def test_ragged_input_is_a_frame_error() -> None:
    with pytest.raises(FrameError, match="'r'"):
        prepare_frame("sim", 1, {"r": [[1, 2], [3]]})


@pytest.mark.parametrize("codec", ["deflate", "gzip"])
@pytest.mark.parametrize("level", [1, 9])
def test_codec_round_trips(codec: str, level: int) -> None:
    arr = np.tile(np.arange(1000, dtype=np.float32), 8)
    frame = parse(prepare_frame("sim", 1, {"x": arr}, codec=codec, level=level).payload)  # type: ignore[arg-type]
    field = frame.fields[0]
    assert field.codec == (1 if codec == "deflate" else 2)
    raw = zlib.decompress(field.data) if codec == "deflate" else gzip.decompress(field.data)
    assert raw == arr.tobytes() and len(field.data) < arr.nbytes


def test_check_finite_names_the_field_and_element() -> None:
    bad = np.ones((2, 3))
    bad[1, 1] = np.nan
    with pytest.raises(FrameError, match=r"'v'.*element 4 is nan") as info:
        prepare_frame("sim", 1, {"u": np.ones(3), "v": bad}, check_finite=True)
    assert info.value.reason == "NON_FINITE_VALUE" and info.value.field == "v"
    with pytest.raises(FrameError, match="inf"):
        prepare_frame("sim", 1, {"h": np.array([1, np.inf], dtype=np.float16)}, check_finite=True)
    prepare_frame("sim", 1, {"v": bad})  # off by default: the server decides (INGEST_CHECK_FINITE)
    prepare_frame("sim", 1, {"i": np.arange(3)}, check_finite=True)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, "FIELDS_EMPTY"),
        ({"1bad": np.ones(1)}, "FIELD_NAME_INVALID"),
        ({"x" * 65: np.ones(1)}, "FIELD_NAME_INVALID"),
    ],
)
def test_frame_level_checks(fields: dict[str, np.ndarray], reason: str) -> None:
    with pytest.raises(FrameError) as info:
        prepare_frame("sim", 1, fields)
    assert info.value.reason == reason


def test_step_and_sim_time_checks() -> None:
    with pytest.raises(FrameError, match=r"STEP|step"):
        prepare_frame("sim", -1, {"x": np.ones(1)})
    with pytest.raises(FrameError):
        prepare_frame("sim", 2**53, {"x": np.ones(1)})
    with pytest.raises(FrameError):
        prepare_frame("sim", 1.5, {"x": np.ones(1)})  # type: ignore[arg-type]
    with pytest.raises(FrameError, match="sim_time"):
        prepare_frame("sim", 1, {"x": np.ones(1)}, sim_time=float("nan"))
    assert parse(prepare_frame("sim", np.int64(5), {"x": np.ones(1)}).payload).step == 5


def test_sim_time_defaults_to_the_step() -> None:
    assert parse(prepare_frame("sim", 7, {"x": np.ones(1)}).payload).sim_time == 7.0


def test_payload_is_a_copy_the_caller_may_reuse_its_array() -> None:
    arr = np.arange(10, dtype=np.int32)
    prepared = prepare_frame("sim", 1, {"x": arr})
    arr[:] = -1
    assert parse(prepared.payload).fields[0].data == np.arange(10, dtype=np.int32).tobytes()
    assert prepared.nbytes == 40


def test_raw_fields_go_as_given() -> None:
    frame = parse(prepare_frame("sim", 3, {"r": RawField("float32", (2, 2), b"\x00" * 12)}).payload)
    field = frame.fields[0]
    assert (DTYPE_NAMES[field.dtype], list(field.shape), field.data) == ("float32", [2, 2], b"\x00" * 12)


def test_open_request_checks_the_simulation_id() -> None:
    request = ingestion_pb2.StreamFramesRequest.FromString(open_request("my-sim.1", {"kind": "heat"}))
    assert request.open.simulation_id == "my-sim.1" and dict(request.open.attributes) == {"kind": "heat"}
    with pytest.raises(FrameError, match=r"SIMULATION|simulation id"):
        open_request("Bad Id", None)


def standard(
    simulation_id: str, step: int, sim_time: float, fields: dict[str, np.ndarray], attributes: dict[str, str]
) -> ingestion_pb2.StreamFramesRequest:
    codes = {v: k for k, v in DTYPE_NAMES.items()}
    return ingestion_pb2.StreamFramesRequest(
        frame=frame_pb2.Frame(
            simulation_id=simulation_id,
            step=step,
            sim_time=sim_time,
            attributes=attributes,
            fields=[
                frame_pb2.Field(
                    name=name,
                    dtype=codes[np.dtype(arr.dtype).name if arr.dtype != np.bool_ else "bool"],
                    shape=list(arr.shape) or [1],
                    data=np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes(),
                )
                for name, arr in fields.items()
            ],
        )
    )


def test_hand_written_encoding_equals_protobufs_own_over_random_frames() -> None:
    """Property test: 500 random frames encode to the bytes protobuf makes, and parse back equal."""
    rng = np.random.default_rng(20240611)
    names = list(NUMPY)
    for case in range(500):
        fields = {}
        for i in range(int(rng.integers(1, 5))):
            ndim = int(rng.integers(0, 4))
            shape = tuple(int(d) for d in rng.integers(1, 40 if ndim < 2 else 9, size=ndim))
            arr = sample(NUMPY[names[int(rng.integers(len(names)))]], shape, rng)
            if rng.random() < 0.3 and arr.dtype.itemsize > 1:
                arr = arr.astype(arr.dtype.newbyteorder(">"))
            if rng.random() < 0.3 and arr.ndim >= 1 and arr.shape[0] > 1:
                arr = arr[::2]
            fields[f"f{i}_{case % 7}"] = arr
        step = int(rng.choice([0, 1, 127, 128, 300, 2**31, 2**53 - 1, int(rng.integers(0, 2**40))]))
        sim_time = float(rng.choice([0.0, -0.0, 1e-300, -3.5, 1e300, float(rng.standard_normal())]))
        attributes = {f"k{j}": "v" * int(rng.integers(1, 200)) for j in range(int(rng.integers(0, 4)))}
        sim = "" if case % 11 == 0 else f"sim-{case}"
        ours = prepare_frame(sim, step, fields, sim_time=sim_time, attributes=attributes).payload
        expected = standard(sim, step, sim_time, fields, attributes)
        assert ingestion_pb2.StreamFramesRequest.FromString(ours) == expected, case
        assert ours == expected.SerializeToString(deterministic=True), case
