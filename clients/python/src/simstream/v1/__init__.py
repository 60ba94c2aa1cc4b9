"""gRPC and protobuf stubs generated from proto/simstream/v1 (scripts/generate_stubs.py; do not edit)."""
