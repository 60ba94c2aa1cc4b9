/**
 * A simulation's results as they are produced, from query's TailResults (history from a step,
 * then live, without a gap), for the analysis events of streams that opted in.
 *
 * Why query and not the result topics: the pod holding a stream is not the pod that analysed
 * its frames, and query already materializes every result once, keyed by (simulation, step),
 * and wakes its tails on Postgres notifications (frame → result at an SSE client, p50 42 ms).
 * A Kafka consumer here would need every result partition on every ingestion pod (or a group
 * per pod) and filter almost all of it away. Ingestion calls query over mutual TLS with its own
 * certificate (identity `ingestion`, allowed by query's GRPC_ALLOWED_CLIENTS), naming the tenant
 * of the stream's credential; query answers NOT_FOUND for anything that tenant does not own.
 *
 * Opening a tail goes through an opossum breaker (libs/resilience): while query is down, opens
 * fail fast and the followers retry with backoff; frames never wait for any of it.
 */
import * as grpc from '@grpc/grpc-js';
import { loadQueryContract, type pb } from '@simstream/contracts';
import { UnavailableError } from '@simstream/errors';
import type { Logger, Registry } from '@simstream/observability';
import { Breaker } from '@simstream/resilience';
import { balancedChannelOptions } from '@simstream/rpc';

export type TailKind = 'RESULT_KIND_NEUROMORPHIC' | 'RESULT_KIND_QUANTUM';

export interface TailRequest {
  readonly tenant: string;
  readonly simulationId: string;
  readonly kind: TailKind;
  readonly fromStep: number;
}

export interface TailCallbacks {
  onResult(result: pb.Result__Output): void;
  /** The tail ended: with the error (a gRPC ServiceError or ours), or undefined when ended by the server. */
  onEnd(error?: unknown): void;
}

/** An open tail: flow control towards query, and cancellation. */
export interface TailHandle {
  pause(): void;
  resume(): void;
  cancel(): void;
}

export interface ResultTails {
  /** Opens a tail; rejects when query cannot be reached (or its breaker is open). */
  open(request: TailRequest, callbacks: TailCallbacks): Promise<TailHandle>;
  close(): void;
}

export interface QueryTailsOptions {
  readonly address: string;
  /** Mutual TLS with ingestion's certificate (channelCredentials of @simstream/rpc). */
  readonly credentials: grpc.ChannelCredentials;
  /** How long an open may wait for the connection before it counts as a failure. */
  readonly connectTimeoutMs: number;
  readonly breakerResetMs: number;
  readonly registry: Registry;
  readonly logger: Logger;
}

export class QueryResultTails implements ResultTails {
  private readonly client: pb.QueryServiceClient;
  private readonly breaker: Breaker<[TailRequest, TailCallbacks], TailHandle>;

  constructor(private readonly options: QueryTailsOptions) {
    const { proto } = loadQueryContract();
    this.client = new proto.simstream.v1.QueryService(options.address, options.credentials, {
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.enable_retries': 0,
      // Round-robin over query's replicas (QUERY_ADDRESS names its headless Service in a
      // cluster), a restarted one found again within about two seconds.
      ...balancedChannelOptions(),
    });
    this.breaker = new Breaker(
      'query-tail',
      (request: TailRequest, callbacks: TailCallbacks) => this.openNow(request, callbacks),
      {
        timeoutMs: options.connectTimeoutMs + 500,
        resetTimeoutMs: options.breakerResetMs,
        volumeThreshold: 5,
        errorThresholdPercentage: 50,
      },
      { registry: options.registry, logger: options.logger },
    );
  }

  open(request: TailRequest, callbacks: TailCallbacks): Promise<TailHandle> {
    return this.breaker.call(request, callbacks);
  }

  close(): void {
    this.breaker.shutdown();
    this.client.close();
  }

  /** Waits for the channel (what the breaker times), then starts the call. */
  private async openNow(request: TailRequest, callbacks: TailCallbacks): Promise<TailHandle> {
    await this.connected();
    const call = this.client.TailResults({
      tenant: request.tenant,
      simulationId: request.simulationId,
      kind: request.kind,
      fromStep: request.fromStep,
      latestOnly: false,
    });
    let ended = false;
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      callbacks.onEnd(error);
    };
    call.on('data', (result: pb.Result__Output) => {
      if (!ended) callbacks.onResult(result);
    });
    call.on('error', (error) => end(error));
    call.on('end', () => end());
    return {
      pause: () => call.pause(),
      resume: () => call.resume(),
      cancel: () => {
        ended = true;
        call.cancel();
      },
    };
  }

  private connected(): Promise<void> {
    const channel = this.client.getChannel();
    if (channel.getConnectivityState(true) === grpc.connectivityState.READY) return Promise.resolve();
    const timeoutMs = this.options.connectTimeoutMs;
    return new Promise((resolve, reject) =>
      this.client.waitForReady(Date.now() + timeoutMs, (error) =>
        error
          ? reject(new UnavailableError('query', `not connected within ${timeoutMs} ms`, { cause: error }))
          : resolve(),
      ),
    );
  }
}
