"""The text/event-stream decoder against the WHATWG parsing rules."""

from __future__ import annotations

from simstream._sse import SseDecoder, SseEvent


def feed_all(*chunks: bytes) -> tuple[list[SseEvent], SseDecoder]:
    decoder = SseDecoder()
    events: list[SseEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events, decoder


def test_named_event_with_id_and_json_data() -> None:
    events, decoder = feed_all(b'event: result\nid: 7\ndata: {"step": 7}\n\n')
    assert events == [SseEvent("result", '{"step": 7}', "7")]
    assert decoder.last_event_id == "7"


def test_multi_line_data_is_joined_by_newlines() -> None:
    events, _ = feed_all(b"data: first\ndata:second\ndata:  third\n\n")
    assert events == [SseEvent("message", "first\nsecond\n third", None)]


def test_comments_and_heartbeats_yield_nothing() -> None:
    events, _ = feed_all(b": heartbeat\n\n", b":\n\n", b"event: result\n: interleaved\ndata: x\n\n")
    assert events == [SseEvent("result", "x", None)]


def test_retry_field_sets_reconnection_time_only_when_digits() -> None:
    events, decoder = feed_all(b"retry: 2000\n\n")
    assert events == [] and decoder.retry_ms == 2000
    feed_all(b"retry: 2s\n\n")
    decoder.feed(b"retry: soon\n\n")
    assert decoder.retry_ms == 2000


def test_ids_persist_across_events_and_an_empty_id_resets() -> None:
    events, _ = feed_all(b"id: 3\ndata: a\n\n", b"data: b\n\n", b"id\ndata: c\n\n", b"id: 4\0x\ndata: d\n\n")
    assert [e.id for e in events] == ["3", "3", None, None]


def test_split_anywhere_including_utf8_sequences_and_crlf() -> None:
    text = 'event: result\r\nid: 12\r\ndata: {"name": "Ω-grid"}\r\n\r\n'.encode()
    for cut in range(1, len(text)):
        events, _ = feed_all(text[:cut], text[cut:])
        assert events == [SseEvent("result", '{"name": "Ω-grid"}', "12")], cut


def test_bare_cr_line_endings_and_a_cr_at_a_chunk_boundary() -> None:
    events, _ = feed_all(b"data: a\r", b"\ndata: b\r\r", b"data: c\r\r")
    assert events == [SseEvent("message", "a\nb", None), SseEvent("message", "c", None)]


def test_event_without_data_is_not_dispatched_and_its_type_is_reset() -> None:
    events, _ = feed_all(b"event: result\n\ndata: x\n\n")
    assert events == [SseEvent("message", "x", None)]


def test_incomplete_event_at_end_of_stream_is_dropped_and_bom_stripped() -> None:
    events, _ = feed_all(b"\xef\xbb\xbfdata: whole\n\ndata: half")
    assert events == [SseEvent("message", "whole", None)]


def test_field_without_colon_and_unknown_fields() -> None:
    events, _ = feed_all(b"data\nfoo: bar\ndata: y\n\n")
    assert events == [SseEvent("message", "\ny", None)]
