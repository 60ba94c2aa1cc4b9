"""Reads an Arrow IPC stream with pyarrow and with polars, as they are (no options).

Usage: read_arrow_stream.py <stream.arrow>
Prints one JSON object: for each reader, the row count, the column names with their types,
the steps, and the sum of the finite scores, so the caller can compare with its own data.
"""
import json
import math
import sys

import polars as pl
import pyarrow as pa


def finite_sum(values):
    return sum(v for v in values if v is not None and math.isfinite(v))


def main(path):
    with open(path, "rb") as f:
        table = pa.ipc.open_stream(f).read_all()
    frame = pl.read_ipc_stream(path)
    produced = table.column("produced_at")
    print(
        json.dumps(
            {
                "pyarrow": {
                    "rows": table.num_rows,
                    "columns": {field.name: str(field.type) for field in table.schema},
                    "steps": table.column("step").to_pylist(),
                    "score_sum": finite_sum(table.column("score").to_pylist()),
                    "first_produced_ms": (
                        produced.cast(pa.int64()).to_pylist()[0] if table.num_rows else None
                    ),
                },
                "polars": {
                    "rows": frame.height,
                    "columns": {name: str(dtype) for name, dtype in frame.schema.items()},
                    "steps": frame["step"].to_list(),
                    "score_sum": finite_sum(frame["score"].to_list()),
                },
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
