/**
 * The gRPC contract at run time: loads proto/simstream/v1 with @grpc/proto-loader (options
 * matching the generated types in ./generated) from the @simstream/proto package, which
 * resolves the same in the workspace and in a deployed image.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as IngestionProto } from './generated/ingestion.js';
import type { ProtoGrpcType as QueryProto } from './generated/query.js';
import type { ProtoGrpcType as QuantumProto } from './generated/quantum.js';

const require = createRequire(import.meta.url);

/** Keep in sync with scripts/gen-proto-types.mjs (a test checks the generated types). */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export const PROTO_FILES = {
  ingestion: ['simstream/v1/ingestion.proto'],
  query: ['simstream/v1/query.proto'],
  quantum: ['simstream/v1/quantum.proto'],
} as const;

/** Folder holding simstream/v1/*.proto (for proto-loader, grpcurl -import-path, reflection). */
export function protoRoot(): string {
  return path.dirname(require.resolve('@simstream/proto/package.json'));
}

export function loadProtoDefinition(files: readonly string[]): protoLoader.PackageDefinition {
  return protoLoader.loadSync([...files], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoRoot()] });
}

/** The .proto files of a service by their import names, and where they are (for reflection). */
export interface ProtoFiles {
  readonly includeDirs: readonly string[];
  readonly files: readonly string[];
}

/**
 * A service's package definition (for servers), its typed gRPC objects, and its .proto files
 * (reflection serves their original descriptors: proto-loader's camelCases names).
 */
export interface Contract<P> {
  readonly definition: protoLoader.PackageDefinition;
  readonly proto: P;
  readonly files: ProtoFiles;
}

function load<P>(files: readonly string[]): Contract<P> {
  const definition = loadProtoDefinition(files);
  return {
    definition,
    proto: grpc.loadPackageDefinition(definition) as unknown as P,
    files: { includeDirs: [protoRoot()], files },
  };
}

export const loadIngestionContract = (): Contract<IngestionProto> => load(PROTO_FILES.ingestion);
export const loadQueryContract = (): Contract<QueryProto> => load(PROTO_FILES.query);
export const loadQuantumContract = (): Contract<QuantumProto> => load(PROTO_FILES.quantum);

export type { IngestionProto, QueryProto, QuantumProto };
