/**
 * gRPC server reflection (v1 and v1alpha, grpcurl asks v1alpha first) serving the original
 * descriptors of our .proto files, plus grpc.health.v1 so health checks are discoverable too.
 * Clients built from reflection (grpcurl, Python's grpcio-reflection, Postman) then see what
 * protoc would give them: snake_case fields, `XxxEntry` maps, the real file names.
 */
import type * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath } from 'grpc-health-check';
import {
  encodeFileDescriptors,
  fileDescriptors,
  type FileDescriptor,
  type ProtoSource,
} from './file-descriptors.js';

/** The import name of grpc.health.v1 everywhere (grpc-go, grpcio-health-checking). */
export const HEALTH_PROTO = 'grpc/health/v1/health.proto';
/** Where grpc-health-check keeps that file (under another name). */
export const healthProtoPath: string = protoPath;

/** `source` with grpc.health.v1 added. */
export function withHealth(source: ProtoSource): ProtoSource {
  return {
    includeDirs: source.includeDirs,
    files: [...source.files, HEALTH_PROTO],
    paths: { ...source.paths, [HEALTH_PROTO]: protoPath },
  };
}

/** The descriptors a server reflecting `source` serves: those files, their imports, health. */
export function reflectedFiles(source: ProtoSource): FileDescriptor[] {
  return fileDescriptors(withHealth(source));
}

export function addReflection(server: grpc.Server, source: ProtoSource): void {
  // @grpc/reflection reads only the fileDescriptorProtos of a package definition's entries;
  // one entry carrying every file is enough, and keeps proto-loader's regrouped files out.
  const definition: PackageDefinition = {
    'simstream.reflection.files': {
      format: 'Protocol Buffer 3 EnumDescriptorProto',
      type: {},
      fileDescriptorProtos: encodeFileDescriptors(reflectedFiles(source)),
    },
  };
  new ReflectionService(definition).addToServer(server);
}
