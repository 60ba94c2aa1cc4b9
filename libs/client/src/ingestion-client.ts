/**
 * A thin typed client of the IngestionService (gRPC, proto loaded at run time), over TLS, with
 * the caller's API key (or JWT) sent as `authorization: Bearer …` on every call.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import {
  loadIngestionContract,
  type FrameResultOutput,
  type GetStatusResponseOutput,
  type IngestionServiceClient,
  type StreamFramesRequest,
  type StreamFramesResponseOutput,
} from '@simstream/contracts';

export interface IngestionClientOptions {
  /** host:port of ingestion (default 127.0.0.1:50051). */
  readonly address?: string;
  /** Largest message either way; must cover the largest frame you send. */
  readonly maxMessageBytes?: number;
  /** API key (`sk_…`) or JWT of the tenant the simulations belong to. */
  readonly apiKey?: string;
  /** PEM file of the CA that signed ingestion's certificate (default: the system's CAs). */
  readonly caFile?: string;
  /** Plaintext, for a server started with GRPC_INSECURE=true (debugging only). */
  readonly insecure?: boolean;
  /** Overrides caFile/insecure (e.g. mutual TLS with a service certificate). */
  readonly credentials?: grpc.ChannelCredentials;
  /**
   * The tenant to act for, sent as x-simstream-tenant: honoured only on ingestion's internal
   * port, from a service whose certificate is allowed there (the gateway); ignored elsewhere.
   */
  readonly tenant?: string;
  /** Extra channel options, e.g. to open several connections. */
  readonly channelOptions?: grpc.ChannelOptions;
}

export type FrameStreamCall = grpc.ClientDuplexStream<StreamFramesRequest, StreamFramesResponseOutput>;

export class IngestionClient {
  readonly address: string;
  private readonly client: IngestionServiceClient;
  private readonly metadata: grpc.Metadata;

  constructor(options: IngestionClientOptions = {}) {
    this.address = options.address ?? '127.0.0.1:50051';
    this.metadata = new grpc.Metadata();
    if (options.tenant !== undefined) this.metadata.set('x-simstream-tenant', options.tenant);
    if (options.apiKey !== undefined) this.metadata.set('authorization', `Bearer ${options.apiKey}`);
    const { proto } = loadIngestionContract();
    const max = options.maxMessageBytes ?? 300 * 1024 * 1024;
    this.client = new proto.simstream.v1.IngestionService(
      this.address,
      options.credentials ??
        (options.insecure === true
          ? grpc.credentials.createInsecure()
          : grpc.credentials.createSsl(options.caFile === undefined ? null : readFileSync(options.caFile))),
      {
        'grpc.max_send_message_length': max,
        'grpc.max_receive_message_length': max,
        'grpc.keepalive_time_ms': 20_000,
        'grpc.keepalive_timeout_ms': 10_000,
        'grpc.enable_retries': 0,
        ...options.channelOptions,
      },
    );
  }

  /** A raw StreamFrames call (FrameUploader adds resume, windowing and reconnects on top). */
  streamFrames(): FrameStreamCall {
    return this.client.StreamFrames(this.metadata);
  }

  ingestBatch(frames: StreamFramesRequest['frame'][], deadlineMs = 60_000): Promise<FrameResultOutput[]> {
    return new Promise((resolve, reject) => {
      this.client.IngestBatch(
        { frames: frames.filter((f) => f != null) },
        this.metadata,
        { deadline: Date.now() + deadlineMs },
        (error, response) => {
          if (error) reject(error);
          else resolve(response?.results ?? []);
        },
      );
    });
  }

  status(simulationId = '', deadlineMs = 5000): Promise<GetStatusResponseOutput> {
    return new Promise((resolve, reject) => {
      this.client.GetStatus(
        { simulationId },
        this.metadata,
        { deadline: Date.now() + deadlineMs },
        (error, response) => {
          if (error || response === undefined) reject(error ?? new Error('empty response'));
          else resolve(response);
        },
      );
    });
  }

  /** Resolves once the channel is connected (or rejects after `timeoutMs`). */
  waitForReady(timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve()));
    });
  }

  close(): void {
    this.client.close();
  }
}
