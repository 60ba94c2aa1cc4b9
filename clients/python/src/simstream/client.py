"""simstream.Client: results, live streams and optimisation over the gateway's HTTP API.

with simstream.Client() as client:          # SIMSTREAM_GATEWAY, SIMSTREAM_API_KEY
    df = client.results_frame("ns-1")         # anomaly scores as a pandas DataFrame
    for result in client.live("ns-1", from_step=0):
        print(result["step"], result["score"])
"""

from __future__ import annotations

import json
import os
import ssl
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import httpx

from ._arrow import ArrowExport
from ._http import Http, RetryPolicy
from ._live import ResultStream
from ._problem import ApiError
from ._sse import SseDecoder
from ._types import Job, Problem, Progress, Result, ResultKind, Simulation, SolveResult
from ._version import __version__

if TYPE_CHECKING:
    import pandas
    import pyarrow

TERMINAL_JOB_STATUSES = frozenset({"succeeded", "failed", "cancelled"})
# The gateway gives up on a synchronous solve after GATEWAY_SOLVE_TIMEOUT (120 s by default).
_SOLVE_READ_TIMEOUT = 150.0


class Client:
    """A client of the simstream gateway (`Authorization: Bearer <api key>`; scopes read and ingest).

    `gateway_url` and `api_key` default to SIMSTREAM_GATEWAY and SIMSTREAM_API_KEY. `timeout` is
    seconds per request (or an httpx.Timeout). `verify` (https): a CA file, an ssl.SSLContext,
    True (the system's roots) or False; by default SIMSTREAM_CA when set (the CA that signed the
    services' certificates, as for the Uploader), else the system's roots. Requests are retried
    after 429, 502, 503, 504 and connection failures, as `retry` says. `transport` replaces
    httpx's (tests, proxies).
    """

    def __init__(
        self,
        gateway_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout = 30.0,
        verify: Any = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        url = gateway_url or os.environ.get("SIMSTREAM_GATEWAY")
        if not url:
            raise ValueError("no gateway URL: pass gateway_url or set SIMSTREAM_GATEWAY")
        key = api_key if api_key is not None else os.environ.get("SIMSTREAM_API_KEY")
        headers = {"User-Agent": f"simstream-python/{__version__}"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self.gateway_url = url.rstrip("/")
        http = httpx.Client(
            base_url=self.gateway_url,
            headers=headers,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout, connect=10.0),
            verify=_verify(verify),
            transport=transport,
        )
        self._http = Http(http, retry or RetryPolicy())

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.client.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- simulations -------------------------------------------------------------------------

    def simulations(self, *, page_size: int = 100) -> Iterator[Simulation]:
        """Every simulation of the caller's tenant, page after page."""
        token: str | None = None
        while True:
            page = self._http.request(
                "GET", "/v1/simulations", params={"page_size": page_size, "page_token": token}
            )
            yield from cast(list[Simulation], page.get("simulations", []))
            token = page.get("next_page_token") or None
            if token is None:
                return

    def simulation(self, simulation_id: str) -> Simulation:
        """One simulation (NotFoundError when it is not the caller's or does not exist)."""
        return cast(Simulation, self._http.request("GET", _sim_path(simulation_id)))

    # -- results -----------------------------------------------------------------------------

    def results(
        self,
        simulation_id: str,
        kind: ResultKind = "neuromorphic",
        *,
        from_step: int | None = None,
        to_step: int | None = None,
        from_time: datetime | str | None = None,
        to_time: datetime | str | None = None,
        page_size: int = 500,
    ) -> Iterator[Result]:
        """Every result in the range (steps inclusive; times on `produced_at`), in step order."""
        params: dict[str, Any] = {
            "kind": kind,
            "from_step": from_step,
            "to_step": to_step,
            "from_time": _time(from_time),
            "to_time": _time(to_time),
            "limit": page_size,
        }
        path = _sim_path(simulation_id, "/results")
        while True:
            page = self._http.request("GET", path, params=params)
            yield from cast(list[Result], page.get("results", []))
            cursor = page.get("next_cursor") or None
            if cursor is None:
                return
            params["cursor"] = cursor

    def results_arrow(
        self,
        simulation_id: str,
        kind: ResultKind = "neuromorphic",
        *,
        from_step: int | None = None,
        to_step: int | None = None,
    ) -> pyarrow.Table:
        """The results as one pyarrow.Table, read from the gateway's streamed Arrow IPC export.

        Columns: step, sim_time, produced_at, score, then the kind's (services/query/README.md).
        Needs the `arrow` extra.
        """
        return self._export(simulation_id, kind, from_step, to_step).table()

    def results_batches(
        self,
        simulation_id: str,
        kind: ResultKind = "neuromorphic",
        *,
        from_step: int | None = None,
        to_step: int | None = None,
    ) -> Iterator[pyarrow.RecordBatch]:
        """The export as pyarrow.RecordBatches, as they arrive (for exports larger than memory)."""
        return self._export(simulation_id, kind, from_step, to_step).batches()

    def results_frame(
        self,
        simulation_id: str,
        kind: ResultKind = "neuromorphic",
        *,
        from_step: int | None = None,
        to_step: int | None = None,
    ) -> pandas.DataFrame:
        """The results as a pandas.DataFrame indexed by step (through Arrow; needs the `arrow` extra)."""
        frame = self.results_arrow(simulation_id, kind, from_step=from_step, to_step=to_step).to_pandas()
        return frame.set_index("step")

    to_pandas = results_frame

    def _export(
        self, simulation_id: str, kind: str, from_step: int | None, to_step: int | None
    ) -> ArrowExport:
        timeout = self._http.client.timeout
        return ArrowExport(
            self._http,
            _sim_path(simulation_id, "/results"),
            {"kind": kind, "from_step": from_step, "to_step": to_step},
            timeout,
        )

    def live(
        self,
        simulation_id: str,
        kind: ResultKind = "neuromorphic",
        *,
        from_step: int | None = None,
        latest_only: bool = False,
        wait: bool = False,
        last_event_id: int | None = None,
        heartbeat_timeout: float = 60.0,
        max_failures: int = 10,
    ) -> ResultStream:
        """Results as they are produced (Server-Sent Events), reconnecting with Last-Event-ID.

        Without `from_step` only new results come; with it, history from that step first, then
        the live tail. `latest_only`: only the newest result whenever it changes (may skip).
        `wait`: open before the simulation's first frame (and see it from its first result).
        A connection silent for `heartbeat_timeout` s (the gateway sends heartbeats every 15 s)
        counts as broken. After `max_failures` consecutive connections that delivered nothing,
        the last error is raised. Iterate it; close() (or `with`) ends it.
        """
        params = {
            "kind": kind,
            "from_step": from_step,
            "latest_only": latest_only or None,
            "wait": wait or None,
        }
        return ResultStream(
            self._http,
            _sim_path(simulation_id, "/results/stream"),
            params,
            latest_only=latest_only,
            heartbeat_timeout=heartbeat_timeout,
            max_failures=max_failures,
            last_event_id=None if last_event_id is None else str(last_event_id),
        )

    # -- optimisation ------------------------------------------------------------------------

    def optimize(
        self,
        problem: Problem | Mapping[str, Any],
        *,
        solver: str | None = None,
        seed: int | None = None,
        time_limit_ms: int | None = None,
        reads: int | None = None,
        target_energy: float | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> SolveResult:
        """Solves an Ising, QUBO or Max-Cut problem now and returns the best solution found.

        With `progress`, the solve streams (SSE) and the callback gets each best-so-far update.
        """
        body = _problem_body(problem, solver, seed, time_limit_ms, reads, target_energy)
        timeout = httpx.Timeout(_SOLVE_READ_TIMEOUT, connect=10.0)
        if progress is None:
            return cast(
                SolveResult,
                self._http.request("POST", "/v1/optimize", json=body, timeout=timeout, idempotent=False),
            )
        with self._http.stream(
            "POST",
            "/v1/optimize",
            json=body,
            timeout=timeout,
            idempotent=False,
            headers={"Accept": "text/event-stream"},
        ) as response:
            decoder = SseDecoder()
            for chunk in response.iter_bytes():
                for event in decoder.feed(chunk):
                    data = json.loads(event.data)
                    if event.event == "progress":
                        progress(cast(Progress, data))
                    elif event.event == "result":
                        return cast(SolveResult, data)
                    elif event.event == "error":
                        raise ApiError.from_problem(data if isinstance(data, dict) else {})
        raise ApiError(None, "STREAM_ENDED", "the solve stream ended without a result", retriable=True)

    def submit_job(
        self,
        problem: Problem | Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        solver: str | None = None,
        seed: int | None = None,
        time_limit_ms: int | None = None,
        reads: int | None = None,
        target_energy: float | None = None,
    ) -> Job:
        """Submits an optimisation job. The same `idempotency_key` returns the same job; without
        one a fresh key is made, so retrying a submission whose answer was lost never runs it twice."""
        body = _problem_body(problem, solver, seed, time_limit_ms, reads, target_energy)
        body["idempotency_key"] = idempotency_key or f"py-{uuid.uuid4().hex}"
        return cast(Job, self._http.request("POST", "/v1/jobs", json=body))

    def job(self, job_id: str) -> Job:
        return cast(Job, self._http.request("GET", f"/v1/jobs/{quote(job_id, safe='')}"))

    def cancel_job(self, job_id: str) -> Job:
        """Asks the job to stop; returns it (its status may still be running for a moment)."""
        return cast(Job, self._http.request("DELETE", f"/v1/jobs/{quote(job_id, safe='')}"))

    def wait_job(self, job_id: str, timeout: float | None = None, *, poll_interval: float = 0.25) -> Job:
        """Polls until the job succeeded, failed or was cancelled; TimeoutError after `timeout` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = poll_interval
        while True:
            job = self.job(job_id)
            if job.get("status") in TERMINAL_JOB_STATUSES:
                return job
            wait = interval
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"job {job_id} is still {job.get('status')} after {timeout} s")
                wait = min(interval, remaining)
            self._http.sleep(wait)
            interval = min(interval * 1.5, 2.0)


def _verify(verify: Any) -> Any:
    if verify is None:
        verify = os.environ.get("SIMSTREAM_CA") or True
    if isinstance(verify, (str, os.PathLike)):
        return ssl.create_default_context(cafile=os.fspath(verify))
    return verify


def _sim_path(simulation_id: str, tail: str = "") -> str:
    return f"/v1/simulations/{quote(simulation_id, safe='')}{tail}"


def _time(value: datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # naive times are taken as UTC
    return value.isoformat()


def _problem_body(
    problem: Problem | Mapping[str, Any],
    solver: str | None,
    seed: int | None,
    time_limit_ms: int | None,
    reads: int | None,
    target_energy: float | None,
) -> dict[str, Any]:
    params = {
        "solver": solver,
        "seed": seed,
        "time_limit_ms": time_limit_ms,
        "reads": reads,
        "target_energy": target_energy,
    }
    body: dict[str, Any] = {"problem": dict(problem)}
    chosen = {k: v for k, v in params.items() if v is not None}
    if chosen:
        body["params"] = chosen
    return body
