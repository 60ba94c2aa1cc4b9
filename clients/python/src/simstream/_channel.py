"""Connection settings for ingestion: target, TLS credentials, API key metadata, channel options.

Settings come from arguments, else from the environment (SIMSTREAM_INGEST, SIMSTREAM_API_KEY,
SIMSTREAM_CA), read once when an uploader is made; `env` is injectable for tests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import grpc.aio

from simstream.errors import SimstreamError

STREAM_FRAMES = "/simstream.v1.IngestionService/StreamFrames"

# The server accepts frames up to Limits.max_frame_bytes (256 MiB by default) and closes a
# stream on messages beyond that + 25 %; 320 MiB lets every acceptable frame through.
MAX_MESSAGE_BYTES = 320 * 1024 * 1024

CHANNEL_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    # Notice a dead peer on an idle stream; 30 s is above every server's ping floor.
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.keepalive_permit_without_calls", 0),
    ("grpc.http2.max_pings_without_data", 0),
    # The uploader has its own backoff: the channel should try again soon after a restart, not
    # sit in TRANSIENT_FAILURE for its default (up to 120 s) backoff.
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2_000),
    # Large frames: let the BDP probe grow the HTTP/2 window (the default, said explicitly).
    ("grpc.http2.bdp_probe", 1),
)


class ConfigError(SimstreamError, ValueError):
    """A connection setting is missing or unreadable."""

    code = "CONFIG_INVALID"


@dataclass(frozen=True)
class Connection:
    target: str
    api_key: str
    root_certificates: bytes | None  # None: the system's roots
    insecure: bool

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.api_key}"),)


def resolve(
    target: str | None,
    api_key: str | None,
    ca: str | os.PathLike[str] | bytes | None,
    insecure: bool,
    env: Mapping[str, str] | None = None,
) -> Connection:
    """Arguments first, then SIMSTREAM_*; every missing setting is named at once."""
    env = os.environ if env is None else env
    target = target or env.get("SIMSTREAM_INGEST")
    api_key = api_key or env.get("SIMSTREAM_API_KEY")
    if ca is None and not insecure:
        ca = env.get("SIMSTREAM_CA") or None
    missing = [
        name
        for name, value in (
            ("target (or SIMSTREAM_INGEST)", target),
            ("api_key (or SIMSTREAM_API_KEY)", api_key),
        )
        if not value
    ]
    if missing:
        raise ConfigError(f"missing {' and '.join(missing)}")
    assert target is not None and api_key is not None
    roots: bytes | None = None
    if isinstance(ca, bytes):
        roots = ca
    elif ca is not None:
        try:
            roots = Path(ca).read_bytes()
        except OSError as error:
            raise ConfigError(f"cannot read the CA file {ca}: {error.strerror}", cause=error) from error
    return Connection(target=target, api_key=api_key, root_certificates=roots, insecure=insecure)


def sync_channel(conn: Connection) -> Any:
    if conn.insecure:
        return grpc.insecure_channel(conn.target, options=CHANNEL_OPTIONS)
    return grpc.secure_channel(
        conn.target, grpc.ssl_channel_credentials(conn.root_certificates), CHANNEL_OPTIONS
    )


def aio_channel(conn: Connection) -> Any:
    if conn.insecure:
        return grpc.aio.insecure_channel(conn.target, options=CHANNEL_OPTIONS)
    return grpc.aio.secure_channel(
        conn.target, grpc.ssl_channel_credentials(conn.root_certificates), CHANNEL_OPTIONS
    )


def _identity(payload: bytes) -> bytes:
    return payload  # requests are serialised by simstream.frames, once


def stream_frames(channel: Any) -> Any:
    """The StreamFrames multi-callable (sync or aio channel) taking pre-serialised requests."""
    from simstream.v1 import ingestion_pb2

    return channel.stream_stream(
        STREAM_FRAMES,
        request_serializer=_identity,
        response_deserializer=ingestion_pb2.StreamFramesResponse.FromString,
    )
