"""Client against httpx.MockTransport: paging, problem documents, the retry policy, Arrow, optimize, jobs."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pyarrow as pa
import pytest

import simstream
from simstream import RetryPolicy
from simstream._problem import parse_retry_after

Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, sleeps: list[float] | None = None, **kwargs: Any) -> simstream.Client:
    client = simstream.Client(
        "http://gw.test", "sk_k_secret", transport=httpx.MockTransport(handler), **kwargs
    )
    client._http.sleep = (sleeps if sleeps is not None else []).append
    return client


def problem(status: int, code: str, detail: str = "d", **extra: Any) -> httpx.Response:
    body = {
        "type": f"urn:simstream:error:{code}",
        "title": "T",
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return httpx.Response(
        status,
        content=json.dumps(body),
        headers={"content-type": "application/problem+json", **extra.pop("headers", {})},
    )


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"simulation_id": "a"})

    monkeypatch.setenv("SIMSTREAM_GATEWAY", "http://env.test/")
    monkeypatch.setenv("SIMSTREAM_API_KEY", "sk_env_key")
    with simstream.Client(transport=httpx.MockTransport(handler)) as client:
        assert client.simulation("a b/c") == {"simulation_id": "a"}
    assert str(seen[0].url) == "http://env.test/v1/simulations/a%20b%2Fc"
    assert seen[0].headers["authorization"] == "Bearer sk_env_key"
    monkeypatch.delenv("SIMSTREAM_GATEWAY")
    with pytest.raises(ValueError, match="SIMSTREAM_GATEWAY"):
        simstream.Client()


def test_verify_defaults_to_the_ca_of_simstream_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    from simstream.client import _verify

    cafiles: list[str | None] = []
    monkeypatch.setattr(ssl, "create_default_context", lambda cafile=None: cafiles.append(cafile) or "ctx")
    monkeypatch.setenv("SIMSTREAM_CA", "/etc/simstream/ca.crt")
    assert _verify(None) == "ctx" and cafiles == ["/etc/simstream/ca.crt"]
    assert _verify(False) is False
    monkeypatch.delenv("SIMSTREAM_CA")
    assert _verify(None) is True


def test_results_follow_cursors_across_pages_with_the_same_filter() -> None:
    pages = {None: ([1, 2], "c1"), "c1": ([3, 4], "c2"), "c2": ([5], "")}
    queries: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        queries.append(query)
        steps, cursor = pages[query.get("cursor")]
        return httpx.Response(200, json={"results": [{"step": s} for s in steps], "next_cursor": cursor})

    client = make_client(handler)
    steps = [r["step"] for r in client.results("s1", "quantum", from_step=1, to_step=9, page_size=2)]
    assert steps == [1, 2, 3, 4, 5]
    assert queries[0] == {"kind": "quantum", "from_step": "1", "to_step": "9", "limit": "2"}
    assert queries[2] == {**queries[0], "cursor": "c2"}


def test_simulations_iterate_every_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("page_token")
        if token is None:
            return httpx.Response(200, json={"simulations": [{"simulation_id": "a"}], "next_page_token": "t"})
        return httpx.Response(200, json={"simulations": [{"simulation_id": "b"}], "next_page_token": ""})

    assert [s["simulation_id"] for s in make_client(handler).simulations()] == ["a", "b"]


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, simstream.InvalidRequestError),
        (401, simstream.AuthenticationError),
        (403, simstream.PermissionDeniedError),
        (404, simstream.NotFoundError),
        (409, simstream.ConflictError),
        (422, simstream.ApiError),
        (500, simstream.ApiError),
    ],
)
def test_problem_documents_become_precise_errors_without_retry(
    status: int, error_class: type[simstream.ApiError]
) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return problem(
            status,
            "SOME_CODE",
            "what went wrong",
            violations=[{"field": "querystring.limit", "reason": "SCHEMA_MAXIMUM", "description": "<= 1000"}],
        )

    with pytest.raises(error_class) as raised:
        make_client(handler).simulation("x")
    error = raised.value
    assert type(error) is error_class
    assert (error.status, error.code, error.detail, error.title) == (
        status,
        "SOME_CODE",
        "what went wrong",
        "T",
    )
    assert error.type == "urn:simstream:error:SOME_CODE"
    assert error.violations == (
        simstream.Violation(field="querystring.limit", description="<= 1000", reason="SCHEMA_MAXIMUM"),
    )
    assert len(calls) == 1


def test_a_body_that_is_not_a_problem_document_keeps_its_status() -> None:
    client = make_client(
        lambda r: httpx.Response(502, text="<html>bad gateway</html>"), retry=RetryPolicy(attempts=1)
    )
    with pytest.raises(simstream.UnavailableError) as raised:
        client.simulation("x")
    assert raised.value.code == "HTTP_502" and "bad gateway" in raised.value.detail


def test_429_and_503_are_retried_honouring_retry_after() -> None:
    answers = iter(
        [
            problem(429, "RATE_LIMITED", headers={"retry-after": "3"}),
            problem(503, "QUERY_UNAVAILABLE", headers={"retry-after": "1"}),
            problem(504, "TIMEOUT"),
            httpx.Response(200, json={"simulation_id": "x"}),
        ]
    )
    sleeps: list[float] = []
    client = make_client(lambda r: next(answers), sleeps, retry=RetryPolicy(base_delay=0.5))
    assert client.simulation("x")["simulation_id"] == "x"
    assert len(sleeps) == 3
    assert 3.0 <= sleeps[0] <= 3.0 + 0.05 and 1.0 <= sleeps[1] <= 1.0 + 0.1  # Retry-After, a little jitter
    assert 0.0 <= sleeps[2] <= 2.0  # full jitter under base * 2**2


def test_retries_give_up_after_the_attempts_and_raise_the_last_problem() -> None:
    sleeps: list[float] = []
    client = make_client(
        lambda r: problem(503, "BUSY", retriable=True), sleeps, retry=RetryPolicy(attempts=3)
    )
    with pytest.raises(simstream.UnavailableError) as raised:
        client.simulation("x")
    assert raised.value.code == "BUSY" and raised.value.retriable and len(sleeps) == 2


def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    client = make_client(lambda r: problem(429, "RATE_LIMITED", headers={"retry-after": "3600"}))
    with pytest.raises(simstream.RateLimitedError) as raised:
        client.simulation("x")
    assert raised.value.retry_after == 3600


def test_connection_errors_are_retried_then_raised_as_api_connection_error() -> None:
    failures = iter([httpx.ConnectError("refused"), httpx.RemoteProtocolError("reset")])

    def handler(request: httpx.Request) -> httpx.Response:
        error = next(failures, None)
        if error is not None:
            raise error
        return httpx.Response(200, json={"job_id": "j"})

    sleeps: list[float] = []
    assert make_client(handler, sleeps).job("j")["job_id"] == "j"
    assert len(sleeps) == 2

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(simstream.ApiConnectionError, match="ConnectError"):
        make_client(down, retry=RetryPolicy(attempts=2)).job("j")


def test_a_solve_that_timed_out_is_not_sent_again() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("slow")

    with pytest.raises(simstream.ApiConnectionError):
        make_client(handler).optimize({"kind": "maxcut", "variables": 2, "i": [0], "j": [1], "value": [1.0]})
    assert len(calls) == 1


def test_retry_after_as_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def arrow_stream(*tables: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, tables[0].schema) as writer:
        for table in tables:
            writer.write_table(table)
    return sink.getvalue()


def sample_table(steps: list[int]) -> pa.Table:
    return pa.table(
        {
            "step": pa.array(steps, pa.int64()),
            "sim_time": pa.array([s * 0.1 for s in steps], pa.float64()),
            "anomaly_score": pa.array([s / 100 for s in steps], pa.float64()),
        }
    )


def test_results_arrow_reads_the_streamed_export_and_results_frame_indexes_by_step() -> None:
    body = arrow_stream(sample_table([0, 1, 2]), sample_table([3, 4]))

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept"] == "application/vnd.apache.arrow.stream"
        assert dict(request.url.params) == {"kind": "neuromorphic", "to_step": "4"}
        chunks = [body[i : i + 7] for i in range(0, len(body), 7)]  # tiny chunks: framing across reads
        return httpx.Response(200, content=iter(chunks))

    client = make_client(handler)
    table = client.results_arrow("s1", to_step=4)
    assert table.column("step").to_pylist() == [0, 1, 2, 3, 4]
    frame = client.results_frame("s1", to_step=4)
    assert list(frame.index) == [0, 1, 2, 3, 4] and frame.loc[3, "anomaly_score"] == 0.03


def test_an_empty_export_keeps_its_schema() -> None:
    body = arrow_stream(sample_table([]))
    table = make_client(lambda r: httpx.Response(200, content=body)).results_arrow("s1")
    assert table.num_rows == 0 and table.schema.names == ["step", "sim_time", "anomaly_score"]


def test_an_export_that_breaks_resumes_after_the_last_whole_batch() -> None:
    whole = arrow_stream(sample_table([0, 1]), sample_table([2, 3]), sample_table([4]))
    rest = arrow_stream(sample_table([2, 3]), sample_table([4]))  # what the gateway sends from step 2
    first_batch_end = len(arrow_stream(sample_table([0, 1]))) - 8  # the end-of-stream marker is 8 bytes
    requests: list[dict[str, str]] = []

    def broken() -> Iterator[bytes]:
        yield whole[: first_batch_end + 20]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(dict(request.url.params))
        return httpx.Response(200, content=broken() if len(requests) == 1 else iter([rest]))

    table = make_client(handler).results_arrow("s1")
    assert table.column("step").to_pylist() == [0, 1, 2, 3, 4]
    assert requests[1]["from_step"] == "2"


def test_a_corrupt_export_is_not_resumed() -> None:
    client = make_client(lambda r: httpx.Response(200, content=b"not arrow at all, definitely"))
    with pytest.raises(pa.ArrowInvalid):
        client.results_arrow("s1")


def sse(*events: str) -> bytes:
    return "".join(events).encode()


def test_optimize_with_progress_streams_events_then_returns_the_result() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept"] == "text/event-stream"
        assert json.loads(request.content) == {
            "problem": {"kind": "maxcut", "variables": 3, "i": [0, 1], "j": [1, 2], "value": [1, 1]},
            "params": {"seed": 7, "time_limit_ms": 200},
        }
        body = sse(
            "retry: 2000\n\n",
            'event: progress\ndata: {"best_energy": -1, "elapsed_ms": 5, "sweeps": 10}\n\n',
            ": heartbeat\n\n",
            'event: progress\ndata: {"best_energy": -2, "elapsed_ms": 9, "sweeps": 20}\n\n',
            'event: result\ndata: {"energy": -2, "solution": [1, -1, 1], "cut": 2}\n\n',
        )
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    seen: list[float] = []
    result = make_client(handler).optimize(
        {"kind": "maxcut", "variables": 3, "i": [0, 1], "j": [1, 2], "value": [1, 1]},
        seed=7,
        time_limit_ms=200,
        progress=lambda p: seen.append(p["best_energy"]),
    )
    assert seen == [-1, -2] and result["cut"] == 2


def test_optimize_error_event_raises_the_problem() -> None:
    body = sse('event: error\ndata: {"status": 503, "code": "QUANTUM_UNAVAILABLE", "detail": "down"}\n\n')
    client = make_client(lambda r: httpx.Response(200, content=body))
    with pytest.raises(simstream.UnavailableError, match="QUANTUM_UNAVAILABLE"):
        client.optimize({"kind": "ising", "variables": 1}, progress=lambda p: None)


def test_jobs_submit_with_an_idempotency_key_poll_and_cancel() -> None:
    bodies: list[dict[str, Any]] = []
    statuses = iter(["queued", "running", "succeeded"])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            bodies.append(json.loads(request.content))
            return httpx.Response(202, json={"job_id": "j1", "status": "queued"})
        if request.method == "DELETE":
            return httpx.Response(200, json={"job_id": "j1", "status": "cancelled"})
        return httpx.Response(200, json={"job_id": "j1", "status": next(statuses), "result": {"energy": -1}})

    sleeps: list[float] = []
    client = make_client(handler, sleeps)
    assert client.submit_job({"kind": "ising", "variables": 1})["job_id"] == "j1"
    client.submit_job({"kind": "ising", "variables": 1}, idempotency_key="mine")
    assert bodies[0]["idempotency_key"].startswith("py-") and bodies[1]["idempotency_key"] == "mine"
    assert client.wait_job("j1", timeout=10)["status"] == "succeeded"
    assert len(sleeps) == 2
    assert client.cancel_job("j1")["status"] == "cancelled"


def test_wait_job_times_out() -> None:
    client = make_client(lambda r: httpx.Response(200, json={"job_id": "j", "status": "running"}))
    client._http.sleep = lambda s: None
    with pytest.raises(TimeoutError, match="running"):
        client.wait_job("j", timeout=0.0)
