/**
 * The ingestion service (proto/simstream/v1/ingestion.proto) behind the `ingestion` breaker:
 * a batch of frames in one IngestBatch call, with the caller's tenant as x-simstream-tenant
 * metadata (ingestion trusts it from the gateway). One result per frame, in order, once every
 * accepted frame is durable in Kafka.
 */
import type * as grpc from '@grpc/grpc-js';
import { loadIngestionContract, type pb } from '@simstream/contracts';
import type { Breakers, Guarded } from './breakers.js';
import { channelOptions, tenantMetadata, unary } from './grpc-calls.js';

export interface IngestionClientOptions {
  readonly address: string;
  /** Mutual TLS with the gateway's certificate (tls.ts in @simstream/rpc). */
  readonly credentials: grpc.ChannelCredentials;
  readonly deadlineMs: number;
  /** Largest request: the largest upload plus protobuf overhead. */
  readonly maxMessageBytes: number;
}

export class IngestionClient {
  private readonly client: pb.IngestionServiceClient;
  private readonly guard: Guarded;

  constructor(
    private readonly options: IngestionClientOptions,
    breakers: Breakers,
  ) {
    const { proto } = loadIngestionContract();
    this.client = new proto.simstream.v1.IngestionService(
      options.address,
      options.credentials,
      channelOptions(options.maxMessageBytes),
    );
    this.guard = breakers.guard('ingestion');
  }

  async ingestBatch(
    tenant: string,
    frames: pb.Frame[],
    signal?: AbortSignal,
  ): Promise<pb.FrameResult__Output[]> {
    const response = await this.guard(() =>
      unary<pb.IngestBatchResponse__Output>((md, o, cb) => this.client.IngestBatch({ frames }, md, o, cb), {
        dependency: 'ingestion',
        // Under the breaker's timeout, so that an abandoned call is cancelled as well.
        deadlineMs: Math.max(1000, this.options.deadlineMs - 500),
        metadata: tenantMetadata(tenant),
        signal,
      }),
    );
    return response.results;
  }

  close(): void {
    this.client.close();
  }
}
