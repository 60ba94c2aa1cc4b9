"""A Python client built from server reflection alone, the way a user would write one with
grpcio-reflection: descriptors from the server into a DescriptorPool (which checks them as
strictly as protoc), message classes from them, requests built with the .proto field names.

Usage: reflection_client.py <address> <service> <method> <request as JSON object>
TLS from the environment: SIMSTREAM_CA_FILE (the CA to trust), SIMSTREAM_CERT_FILE and
SIMSTREAM_KEY_FILE (a client certificate, for internal services), SIMSTREAM_API_KEY (sent as
`authorization: Bearer …` on the call).
The request's keys are passed as keyword arguments to the request class, so they must be the
field names of the .proto files. Prints one JSON object: the services the server lists, the field
names of every message in the service's file, and the response (field names as in the .proto).
"""
import json
import os
import sys

import grpc
from google.protobuf import json_format
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message_factory import GetMessageClass
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)


def read(name):
    path = os.environ.get(name)
    if path is None:
        return None
    with open(path, "rb") as f:
        return f.read()


def channel_for(address):
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read("SIMSTREAM_CA_FILE"),
        private_key=read("SIMSTREAM_KEY_FILE"),
        certificate_chain=read("SIMSTREAM_CERT_FILE"),
    )
    return grpc.secure_channel(address, credentials)


def main(address, service, method, request_json):
    key = os.environ.get("SIMSTREAM_API_KEY")
    metadata = [] if key is None else [("authorization", f"Bearer {key}")]
    with channel_for(address) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        pool = DescriptorPool(database)
        descriptor = pool.FindServiceByName(service)
        rpc = descriptor.methods_by_name[method]
        request_class = GetMessageClass(rpc.input_type)
        response_class = GetMessageClass(rpc.output_type)
        request = request_class(**json.loads(request_json))
        call = channel.unary_unary(
            f"/{service}/{method}",
            request_serializer=request_class.SerializeToString,
            response_deserializer=response_class.FromString,
        )
        response = call(request, timeout=30, metadata=metadata)
        fields = {
            message.full_name: [f.name for f in message.fields]
            for message in descriptor.file.message_types_by_name.values()
        }
        print(
            json.dumps(
                {
                    "services": sorted(database.get_services()),
                    "file": descriptor.file.name,
                    "fields": fields,
                    "response": json_format.MessageToDict(
                        response, preserving_proto_field_name=True
                    ),
                }
            )
        )


if __name__ == "__main__":
    main(*sys.argv[1:5])
