"""Decodes Avro single-object encoded messages with fastavro, an independent implementation.

Usage: decode_single_objects.py <schema.avsc> <messages.bin>
messages.bin holds 4-byte big-endian lengths, each followed by one message as read from Kafka.
For each message: checks the C3 01 marker, that the 8-byte fingerprint equals fastavro's own
CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form, decodes the body, and prints one
JSON line with the record (bytes as sha256 hex and length).
"""
import datetime
import hashlib
import io
import json
import struct
import sys

from fastavro import parse_schema, schemaless_reader
from fastavro.schema import fingerprint, to_parsing_canonical_form


def plain(value):
    if isinstance(value, datetime.datetime):  # timestamp-millis, as a logical type
        return round(value.timestamp() * 1000)
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "length": len(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def main():
    schema_path, messages_path = sys.argv[1], sys.argv[2]
    with open(schema_path) as f:
        raw = json.load(f)
    expected = bytes.fromhex(fingerprint(to_parsing_canonical_form(raw), "CRC-64-AVRO"))
    schema = parse_schema(raw)
    data = open(messages_path, "rb").read()
    at = 0
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        message = data[at + 4 : at + 4 + length]
        at += 4 + length
        if message[:2] != b"\xc3\x01":
            raise SystemExit(f"bad marker {message[:2].hex()}")
        if message[2:10] != expected:
            raise SystemExit(f"fingerprint {message[2:10].hex()} != {expected.hex()}")
        body = io.BytesIO(message[10:])
        record = schemaless_reader(body, schema)
        if body.read():
            raise SystemExit("trailing bytes")
        print(json.dumps(plain(record), sort_keys=True))


if __name__ == "__main__":
    main()
