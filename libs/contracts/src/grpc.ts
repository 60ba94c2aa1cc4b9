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

const require = createRequire(import.meta.url);

/** Keep in sync with scripts/gen-proto-types.mjs (a test checks the generated types). */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export const PROTO_FILES = ['simstream/v1/frame.proto', 'simstream/v1/ingestion.proto'] as const;

/** Folder holding simstream/v1/*.proto (for proto-loader, grpcurl -import-path, reflection). */
export function protoRoot(): string {
  return path.dirname(require.resolve('@simstream/proto/package.json'));
}

export function loadProtoDefinition(files: readonly string[] = PROTO_FILES): protoLoader.PackageDefinition {
  return protoLoader.loadSync([...files], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoRoot()] });
}

export interface IngestionContract {
  readonly definition: protoLoader.PackageDefinition;
  readonly proto: IngestionProto;
}

export function loadIngestionContract(): IngestionContract {
  const definition = loadProtoDefinition();
  const proto = grpc.loadPackageDefinition(definition) as unknown as IngestionProto;
  return { definition, proto };
}

export type { IngestionProto };
