"""The live iterator against a tiny local HTTP server: reconnects with Last-Event-ID after drops,
clean ends, silent connections and retriable `error` events; no gap, no duplicate."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice

import pytest

import simstream

# A connection script: (the request's Last-Event-ID, its query) -> what to do with the socket.
Script = Callable[["Handler", "str | None", dict[str, str]], None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    scripts: list[Script]
    seen: list[tuple[str | None, dict[str, str]]]

    def do_GET(self) -> None:
        from urllib.parse import parse_qsl, urlsplit

        query = dict(parse_qsl(urlsplit(self.path).query))
        last_id = self.headers.get("Last-Event-ID")
        self.seen.append((last_id, query))
        script = self.scripts.pop(0) if self.scripts else hang
        script(self, last_id, query)

    def start_stream(self, *, length: int | None = None) -> None:
        self.close_connection = True  # when the script returns, the socket closes
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        if length is None:
            self.send_header("Connection", "close")  # the body ends when the socket closes
        else:
            self.send_header("Content-Length", str(length))  # more than sent: closing is a broken body
        self.end_headers()
        self.write("retry: 10\n\n")

    def write(self, text: str) -> None:
        self.wfile.write(text.encode())
        self.wfile.flush()

    def result(self, step: int) -> None:
        data = json.dumps({"simulation_id": "s1", "step": step, "kind": "neuromorphic", "score": step / 10})
        self.write(f"event: result\nid: {step}\ndata: {data}\n\n")

    def log_message(self, *args: object) -> None:
        pass


def hang(handler: Handler, last_id: str | None, query: dict[str, str]) -> None:
    handler.start_stream()
    time.sleep(5)


@pytest.fixture
def server() -> Iterator[tuple[str, type[Handler]]]:
    handler = type("H", (Handler,), {"scripts": [], "seen": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


def client_for(url: str, sleeps: list[float]) -> simstream.Client:
    client = simstream.Client(url, "sk_k_secret")
    client._http.sleep = sleeps.append
    return client


def next_after(last_id: str | None, query: dict[str, str]) -> int:
    return int(last_id) + 1 if last_id is not None else int(query.get("from_step", "0"))


def test_resumes_after_drops_error_events_and_clean_ends_without_gap_or_duplicate(
    server: tuple[str, type[Handler]],
) -> None:
    url, handler = server

    def drop_after_three(h: Handler, last_id: str | None, query: dict[str, str]) -> None:
        h.start_stream(length=10_000)
        for step in range(next_after(last_id, query), 4):
            h.result(step)
        h.write('event: result\nid: 4\ndata: {"step": 4, "trunc')  # half an event, then the socket dies

    def error_event(h: Handler, last_id: str | None, query: dict[str, str]) -> None:
        h.start_stream()
        problem = {"status": 503, "code": "QUERY_UNAVAILABLE", "detail": "tail failed", "retriable": True}
        h.write(f"event: error\ndata: {json.dumps(problem)}\n\n")

    def with_heartbeats_then_clean_end(h: Handler, last_id: str | None, query: dict[str, str]) -> None:
        h.start_stream()
        for step in range(next_after(last_id, query), 7):
            h.write(": heartbeat\n\n")
            h.result(step)

    def rest(h: Handler, last_id: str | None, query: dict[str, str]) -> None:
        h.start_stream()
        for step in range(next_after(last_id, query), 10):
            h.result(step)
        time.sleep(5)

    handler.scripts += [drop_after_three, error_event, with_heartbeats_then_clean_end, rest]
    sleeps: list[float] = []
    with client_for(url, sleeps) as client, client.live("s1", from_step=0, heartbeat_timeout=3) as stream:
        steps = [r["step"] for r in islice(stream, 10)]
        assert stream.last_event_id == "9" and stream.reconnects == 3
    assert steps == list(range(10))
    assert [last for last, _ in handler.seen] == [None, "3", "3", "6"]
    assert handler.seen[0][1] == {"kind": "neuromorphic", "from_step": "0"}
    assert "from_step" not in handler.seen[1][1]  # Last-Event-ID says where to resume
    assert len(sleeps) == 3 and all(0 <= s <= 0.2 for s in sleeps)  # backoff from the server's retry: 10


def test_a_silent_connection_counts_as_broken(server: tuple[str, type[Handler]]) -> None:
    url, handler = server

    def one_then_silence(h: Handler, last_id: str | None, query: dict[str, str]) -> None:
        h.start_stream()
        h.result(next_after(last_id, query))
        time.sleep(2)

    handler.scripts += [one_then_silence, one_then_silence]
    with client_for(url, []) as client:
        stream = client.live("s1", from_step=5, heartbeat_timeout=0.3)
        assert [r["step"] for r in islice(stream, 2)] == [5, 6]
        stream.close()
    assert [last for last, _ in handler.seen] == [None, "5"]


def test_a_non_retriable_error_event_is_raised(server: tuple[str, type[Handler]]) -> None:
    url, handler = server

    def forbidden(h: Handler, last_id: str | None, query: dict[str, str]) -> None:
        h.start_stream()
        h.write('event: error\ndata: {"status": 403, "code": "SCOPE_MISSING", "detail": "needs read"}\n\n')

    handler.scripts.append(forbidden)
    with client_for(url, []) as client, pytest.raises(simstream.PermissionDeniedError, match="SCOPE_MISSING"):
        next(client.live("s1"))


def test_an_unknown_simulation_fails_at_once(server: tuple[str, type[Handler]]) -> None:
    url, handler = server

    def not_found(h: Handler, last_id: str | None, query: dict[str, str]) -> None:
        body = json.dumps(
            {"status": 404, "code": "SIMULATION_NOT_FOUND", "detail": "no simulation 's1'"}
        ).encode()
        h.send_response(404)
        h.send_header("Content-Type", "application/problem+json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    handler.scripts.append(not_found)
    with client_for(url, []) as client, pytest.raises(simstream.NotFoundError):
        next(client.live("s1"))
    assert len(handler.seen) == 1


def test_gives_up_after_consecutive_empty_connections(server: tuple[str, type[Handler]]) -> None:
    url, handler = server

    def empty(h: Handler, last_id: str | None, query: dict[str, str]) -> None:
        h.start_stream()

    handler.scripts += [empty] * 3
    sleeps: list[float] = []
    with client_for(url, sleeps) as client, pytest.raises(simstream.ApiConnectionError, match="ended"):
        next(client.live("s1", max_failures=3, latest_only=True))
    assert len(handler.seen) == 3 and len(sleeps) == 2
    assert handler.seen[0][1] == {"kind": "neuromorphic", "latest_only": "true"}
