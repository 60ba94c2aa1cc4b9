"""Arrow IPC exports read as they stream: the response body is a file pyarrow reads from, so a
table of any size is never held twice (bytes, then columns). Results come ordered by step, so an
export that breaks midway resumes from the step after the last whole record batch read.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from ._http import _BROKEN_OR_SILENT, Http
from ._problem import ApiConnectionError

ARROW_STREAM = "application/vnd.apache.arrow.stream"


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.ipc  # the submodule, for pa.ipc
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("Arrow results need pyarrow: pip install 'simstream[arrow]'") from error
    return pa


class _BodyFile(io.RawIOBase):
    """A streamed httpx response as a readable binary file; a broken connection is remembered."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.iter_bytes()
        self._buffer = b""
        self.failure: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        view = memoryview(target).cast("B")
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
            except _BROKEN_OR_SILENT as error:
                self.failure = error
                raise
        n = min(len(view), len(self._buffer))
        view[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


class ArrowExport:
    """The record batches of one export; `schema` is known once the first connection answered."""

    def __init__(self, http: Http, path: str, params: Mapping[str, Any], timeout: httpx.Timeout) -> None:
        self._http = http
        self._path = path
        self._params = dict(params)
        self._timeout = timeout
        self.schema: Any = None

    def batches(self) -> Iterator[Any]:
        pa = _pyarrow()
        resumes = 0
        params = dict(self._params)
        while True:
            with self._http.stream(
                "GET", self._path, params=params, headers={"Accept": ARROW_STREAM}, timeout=self._timeout
            ) as response:
                body = _BodyFile(response)
                try:
                    reader = pa.ipc.open_stream(io.BufferedReader(body, buffer_size=1 << 16))
                    if self.schema is None:
                        self.schema = reader.schema
                    for batch in reader:
                        if batch.num_rows > 0:
                            params["from_step"] = int(batch.column("step")[-1].as_py()) + 1
                            resumes = 0
                        yield batch
                    return
                except Exception as error:
                    # pyarrow wraps what the file raised; only a broken connection is resumed.
                    if body.failure is None:
                        raise
                    resumes += 1
                    if resumes >= self._http.policy.attempts:
                        raise ApiConnectionError(f"Arrow export broke: {body.failure}") from error
            self._http.sleep(self._http.policy.delay(resumes - 1))

    def table(self) -> Any:
        pa = _pyarrow()
        batches = list(self.batches())
        return pa.Table.from_batches(batches, schema=self.schema)
