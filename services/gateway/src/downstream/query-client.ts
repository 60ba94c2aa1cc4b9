/**
 * The query service (proto/simstream/v1/query.proto) behind breakers: unary reads through
 * `query-read` (simulation list and details fall back to their last good answer while it
 * fails), stream opens (live tails, Arrow exports) through `query-stream`. The caller's tenant
 * is in every request; answers naming another tenant are refused here too (defence in depth).
 */
import type * as grpc from '@grpc/grpc-js';
import { loadQueryContract, type pb } from '@simstream/contracts';
import type { Breakers, Guarded } from './breakers.js';
import { channelOptions, connected, firstMessage, unary } from './grpc-calls.js';
import { LastGood, type Answer } from './last-good.js';
import { HttpError } from '../problem.js';

const DEPENDENCY = 'query';

export interface QueryClientOptions {
  readonly address: string;
  /** Mutual TLS with the gateway's certificate (tls.ts in @simstream/rpc). */
  readonly credentials: grpc.ChannelCredentials;
  readonly deadlineMs: number;
  readonly fallbackTtlMs: number;
  readonly onFallback?: (what: string) => void;
}

export interface ArrowExport {
  /** The first chunk (the Arrow schema message), already read; undefined when empty. */
  readonly first: Buffer | undefined;
  readonly stream: grpc.ClientReadableStream<pb.ArrowChunk__Output>;
}

function simulationNotFound(id: string): HttpError {
  return new HttpError(404, 'SIMULATION_NOT_FOUND', `no simulation '${id}' for this tenant`);
}

export class QueryClient {
  private readonly client: pb.QueryServiceClient;
  private readonly read: Guarded;
  private readonly open: Guarded;
  private readonly simulations: LastGood<pb.ListSimulationsResponse__Output>;
  private readonly details: LastGood<pb.Simulation__Output>;
  private readonly readable = new Map<string, number>();

  constructor(
    private readonly options: QueryClientOptions,
    breakers: Breakers,
  ) {
    const { proto } = loadQueryContract();
    this.client = new proto.simstream.v1.QueryService(
      options.address,
      options.credentials,
      channelOptions(64 * 1024 * 1024),
    );
    this.read = breakers.guard('query-read');
    this.open = breakers.guard('query-stream');
    this.simulations = new LastGood(options.fallbackTtlMs);
    this.details = new LastGood(options.fallbackTtlMs);
  }

  private context(signal?: AbortSignal, notFoundCode?: string) {
    return { dependency: DEPENDENCY, deadlineMs: this.options.deadlineMs, signal, notFoundCode };
  }

  listSimulations(
    tenant: string,
    pageSize: number,
    pageToken: string,
    signal?: AbortSignal,
  ): Promise<Answer<pb.ListSimulationsResponse__Output>> {
    return this.simulations.get(
      `${tenant}\0${pageSize}\0${pageToken}`,
      async () => {
        const response = await this.read(() =>
          unary<pb.ListSimulationsResponse__Output>(
            (md, o, cb) => this.client.ListSimulations({ tenant, pageSize, pageToken }, md, o, cb),
            this.context(signal),
          ),
        );
        return { ...response, simulations: response.simulations.filter((s) => s.tenant === tenant) };
      },
      () => this.options.onFallback?.('list_simulations'),
    );
  }

  /** The simulation if it exists and belongs to `tenant`; SIMULATION_NOT_FOUND otherwise. */
  async getSimulation(
    tenant: string,
    simulationId: string,
    signal?: AbortSignal,
  ): Promise<Answer<pb.Simulation__Output>> {
    const key = `${tenant}\0${simulationId}`;
    try {
      return await this.details.get(
        key,
        async () => {
          const simulation = await this.read(() =>
            unary<pb.Simulation__Output>(
              (md, o, cb) => this.client.GetSimulation({ tenant, simulationId }, md, o, cb),
              this.context(signal, 'SIMULATION_NOT_FOUND'),
            ),
          );
          if (simulation.tenant !== tenant) throw simulationNotFound(simulationId);
          return simulation;
        },
        () => this.options.onFallback?.('get_simulation'),
      );
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        this.details.forget(key);
        throw simulationNotFound(simulationId);
      }
      throw error;
    }
  }

  /**
   * SIMULATION_NOT_FOUND unless `tenant` owns `simulationId` (asked of GetSimulation, the
   * positive answer cached for a short while: ownership does not change).
   */
  async assertReadable(tenant: string, simulationId: string, signal?: AbortSignal): Promise<void> {
    const key = `${tenant}\0${simulationId}`;
    const until = this.readable.get(key);
    if (until !== undefined && until > Date.now()) return;
    await this.getSimulation(tenant, simulationId, signal);
    if (this.readable.size >= 10_000) this.readable.delete(this.readable.keys().next().value!);
    this.readable.set(key, Date.now() + 30_000);
  }

  listResults(request: pb.ListResultsRequest, signal?: AbortSignal): Promise<pb.ListResultsResponse__Output> {
    return this.read(() =>
      unary<pb.ListResultsResponse__Output>(
        (md, o, cb) => this.client.ListResults(request, md, o, cb),
        this.context(signal, 'SIMULATION_NOT_FOUND'),
      ),
    );
  }

  /**
   * Opens a live tail once the channel is connected (what the breaker sees); later errors
   * arrive on the stream. Cancel the call when the client goes away.
   */
  tail(request: pb.TailResultsRequest): Promise<grpc.ClientReadableStream<pb.Result__Output>> {
    return this.open(async () => {
      await connected(this.client, DEPENDENCY, Math.min(this.options.deadlineMs, 2000));
      const stream = this.client.TailResults(request);
      stream.on('error', () => undefined); // the caller listens too; never an unhandled 'error'
      return stream;
    });
  }

  /** Starts an Arrow export and waits for its first chunk, so that errors can still be problems. */
  exportArrow(request: pb.ExportArrowRequest): Promise<ArrowExport> {
    return this.open(async () => {
      const stream = this.client.ExportArrow(request);
      stream.on('error', () => undefined);
      try {
        const first = await firstMessage(
          stream,
          DEPENDENCY,
          Math.max(100, this.options.deadlineMs - 250),
          'SIMULATION_NOT_FOUND',
        );
        return { first: first?.data, stream };
      } catch (error) {
        stream.cancel();
        throw error;
      }
    });
  }

  close(): void {
    this.client.close();
  }
}
