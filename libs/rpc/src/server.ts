/**
 * A grpc-js server set up the same way in every service: message size limits from config,
 * keepalive so dead clients are noticed, the standard grpc.health.v1 service driven by our
 * readiness checks, and server reflection so grpcurl and any standard client need no .proto.
 */
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { connectionAgeOptions, type ConnectionAge } from './balancing.js';
import { gateInterceptor, type CallGate } from './call-gate.js';
import type { ProtoSource } from './file-descriptors.js';
import { addReflection } from './reflection.js';

export interface GrpcServerOptions {
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes?: number;
  /** The .proto files of the server's services, served by reflection with grpc.health.v1. */
  readonly reflect?: ProtoSource;
  /** Fully qualified service names reported by grpc.health.v1 (plus '' for the server). */
  readonly healthServices: readonly string[];
  /** TLS or mutual TLS (tls.ts); plaintext only when configured insecure. */
  readonly credentials: grpc.ServerCredentials;
  /** Authentication and authorisation of every call (call-gate.ts); health and reflection stay open. */
  readonly gate?: CallGate;
  /**
   * HTTP/2 receive window of each stream and of each connection, in bytes (Node's default is
   * 64 KiB). What a client may send before the server's reader catches up: larger windows let
   * one upload stream run at full speed, and bound what a paused stream can still buffer per
   * connection. (`grpc-node.flow_control_window`: see pnpm-workspace.yaml, patchedDependencies.)
   */
  readonly flowControlWindowBytes?: number;
  /**
   * Connection age and grace (balancing.ts): aged connections are asked to reconnect so that
   * clients find new replicas; open calls keep running for the grace.
   */
  readonly connectionAge?: ConnectionAge;
}

export interface GrpcServerHandle {
  readonly server: grpc.Server;
  setServing(status: ServingStatus): void;
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting calls, waits for open ones up to `graceMs`, then cancels the rest. */
  shutdown(graceMs: number): Promise<void>;
}

export function createGrpcServer(options: GrpcServerOptions): GrpcServerHandle {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? 16 * 1024 * 1024,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    ...connectionAgeOptions(options.connectionAge),
    ...(options.flowControlWindowBytes === undefined
      ? {}
      : { 'grpc-node.flow_control_window': options.flowControlWindowBytes }),
    interceptors: options.gate === undefined ? [] : [gateInterceptor(options.gate)],
  });
  const health = new HealthImplementation(
    Object.fromEntries(['', ...options.healthServices].map((s) => [s, 'NOT_SERVING' as const])),
  );
  health.addToServer(server);
  if (options.reflect !== undefined) addReflection(server, options.reflect);

  return {
    server,
    setServing(status) {
      for (const s of ['', ...options.healthServices]) health.setStatus(s, status);
    },
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, options.credentials, (error, bound) => {
          if (error) reject(error);
          else resolve(bound);
        });
      });
    },
    async shutdown(graceMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * grpc-js reads ahead up to 16 messages (the object-mode highWaterMark) into a paused server
 * stream. With frames of many MiB that is far more memory than our in-flight budget allows, so
 * reduce the read-ahead of a stream to one message: pausing then really stops the HTTP/2 reads
 * after at most one more message, and flow control pushes back on the client.
 */
export function limitReadAhead(stream: NodeJS.ReadableStream, messages = 1): void {
  const state = (stream as unknown as { _readableState?: { highWaterMark: number } })._readableState;
  if (state !== undefined && typeof state.highWaterMark === 'number') state.highWaterMark = messages;
}
