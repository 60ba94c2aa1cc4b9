"""Generates simstream/v1 (protobuf and gRPC stubs) from the repository's proto/, the one copy.

    python scripts/generate_stubs.py          # rewrite src/simstream/v1/*_pb2*.py(i)
    python scripts/generate_stubs.py --check  # exit 1 when the committed stubs are not current

Needs grpcio-tools (the `test` extra pins the version the committed stubs were made with).
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

HERE = Path(__file__).resolve().parent.parent
PROTO = HERE.parent.parent / "proto"
TARGET = HERE / "src" / "simstream" / "v1"


def generate(out: Path) -> list[Path]:
    sources = sorted((PROTO / "simstream" / "v1").glob("*.proto"))
    args = ["protoc", f"-I{PROTO}", f"--python_out={out}", f"--pyi_out={out}", f"--grpc_python_out={out}"]
    if protoc.main([*args, *map(str, sources)]) != 0:
        raise SystemExit("protoc failed")
    return sorted((out / "simstream" / "v1").glob("*_pb2*"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    check = parser.parse_args().check
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        current = {p.name for p in TARGET.glob("*_pb2*")}
        stale = [
            p.name
            for p in fresh
            if not (TARGET / p.name).exists() or not filecmp.cmp(p, TARGET / p.name, shallow=False)
        ]
        extra = sorted(current - {p.name for p in fresh})
        if check:
            if stale or extra:
                print(
                    f"stubs not current with proto/: changed {stale}, no longer generated {extra};"
                    " run scripts/generate_stubs.py"
                )
                return 1
            return 0
        for name in extra:
            (TARGET / name).unlink()
        for p in fresh:
            (TARGET / p.name).write_bytes(p.read_bytes())
        print(f"wrote {len(fresh)} files to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
