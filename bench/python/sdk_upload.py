"""One stream of frames through the Python SDK, for `pnpm bench python-sdk` (bench/src/python-sdk.ts).

Sends `--frames` frames of one uint8 field of `--size` bytes with simstream.Uploader (target, key
and CA from SIMSTREAM_INGEST, SIMSTREAM_API_KEY, SIMSTREAM_CA) and prints one JSON object: the
seconds from the first send to close() returning (everything acked), and the ack latency of each
frame, from send() returning to its ack arriving — the same definition as the TypeScript side.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

import simstream


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--frames", type=int, required=True)
    parser.add_argument("--simulation-id", required=True)
    parser.add_argument("--max-unacked-bytes", type=int, required=True)
    parser.add_argument("--max-unacked-frames", type=int, default=256)
    args = parser.parse_args()

    payload = np.frombuffer(os.urandom(args.size), dtype=np.uint8)
    sent: dict[int, float] = {}
    latencies: list[float] = []

    def on_ack(ack: object) -> None:
        t = sent.pop(ack.step, None)  # type: ignore[attr-defined]
        if t is not None:
            latencies.append((time.perf_counter() - t) * 1000)

    uploader = simstream.Uploader(
        args.simulation_id,
        max_unacked_bytes=args.max_unacked_bytes,
        max_unacked_frames=args.max_unacked_frames,
        on_ack=on_ack,
    )
    uploader.start()
    started = time.perf_counter()
    for step in range(args.frames):
        uploader.send(step, {"payload": payload})
        sent[step] = time.perf_counter()
    uploader.close()
    seconds = time.perf_counter() - started
    stats = uploader.stats
    print(
        json.dumps(
            {"seconds": seconds, "latenciesMs": latencies, "acked": stats.acked, "rejected": stats.rejected}
        )
    )


if __name__ == "__main__":
    main()
