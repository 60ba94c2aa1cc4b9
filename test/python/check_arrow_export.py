"""Reads an Arrow IPC stream with pyarrow batch by batch and compares it with the rows expected.

Usage: check_arrow_export.py <stream.arrow> <expected.json>
expected.json holds one list per column (as Postgres has them), in step order. Prints one JSON
object: rows and batches read, the column types, and the first mismatches found (none: equal).
Timestamps are compared as milliseconds since the epoch; floats exactly.
"""
import json
import sys

import pyarrow as pa


def as_python(column):
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.int64())
    return column.to_pylist()


def main(stream_path, expected_path):
    with open(expected_path, "rb") as f:
        expected = json.load(f)
    names = list(expected)
    rows = 0
    batches = 0
    mismatches = []
    with open(stream_path, "rb") as f:
        reader = pa.ipc.open_stream(f)
        columns = {field.name: str(field.type) for field in reader.schema}
        for batch in reader:
            for name in names:
                if name not in columns:
                    continue
                got = as_python(batch.column(name))
                want = expected[name][rows : rows + batch.num_rows]
                for i, (g, w) in enumerate(zip(got, want)):
                    if g != w and len(mismatches) < 10:
                        mismatches.append({"row": rows + i, "column": name, "got": g, "want": w})
            rows += batch.num_rows
            batches += 1
    missing = [name for name in names if name not in columns]
    print(
        json.dumps(
            {
                "rows": rows,
                "batches": batches,
                "columns": columns,
                "missing_columns": missing,
                "mismatches": mismatches,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
