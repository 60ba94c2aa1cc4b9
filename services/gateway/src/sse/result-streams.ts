/**
 * Live results for SSE clients. Clients that only want the live tail (or latest-only) of a
 * simulation share one upstream gRPC tail per (tenant, simulation, kind, mode): a hundred
 * dashboards cost the query service one stream. A client resuming from a step (from_step or
 * Last-Event-ID) gets its own tail with history first. When the last client of a shared tail
 * leaves, or the upstream fails, the tail is cancelled; on failure clients get an `error` event
 * and are closed, so EventSource reconnects and resumes from its last id.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { pb } from '@simstream/contracts';
import type { Logger } from '@simstream/observability';
import { UnavailableError } from '@simstream/errors';
import { streamError } from '../downstream/grpc-errors.js';
import { resultView } from '../json-views.js';
import { toProblem } from '../problem.js';
import { formatEvent, type SseWriter } from './sse-writer.js';

export type OpenTail = (request: pb.TailResultsRequest) => Promise<ClientReadableStream<pb.Result__Output>>;

export interface ResultStreamsOptions {
  readonly open: OpenTail;
  readonly logger: Logger;
  readonly onUpstreams?: (count: number) => void;
}

interface Shared {
  readonly key: string;
  readonly clients: Set<SseWriter>;
  upstream?: ClientReadableStream<pb.Result__Output>;
  opening?: Promise<void>;
}

export class ResultStreams {
  private readonly shared = new Map<string, Shared>();
  private readonly dedicatedClients = new Set<SseWriter>();

  constructor(private readonly options: ResultStreamsOptions) {}

  get upstreams(): number {
    return this.shared.size + this.dedicatedClients.size;
  }

  /**
   * Attaches `writer` to a tail. Resolves once the upstream is open (throws if it cannot be
   * opened: the route then answers with a problem instead of an event stream).
   */
  async subscribe(request: pb.TailResultsRequest & { tenant: string }, writer: SseWriter): Promise<void> {
    if (request.fromStep !== undefined) return this.dedicated(request, writer);
    const key = `${request.tenant}\0${request.simulationId}\0${String(request.kind)}\0${request.latestOnly === true}`;
    let entry = this.shared.get(key);
    if (entry === undefined) {
      const created: Shared = { key, clients: new Set() };
      entry = created;
      this.shared.set(key, created);
      created.opening = this.options.open(request).then(
        (upstream) => this.attachUpstream(created, upstream),
        (error: unknown) => {
          this.shared.delete(key);
          throw error;
        },
      );
    }
    await entry.opening;
    if (writer.isClosed) return;
    // The tail may have been released (its last client left) while this one waited for it.
    if (this.shared.get(key) !== entry) return this.subscribe(request, writer);
    entry.clients.add(writer);
    writer.onClose(() => {
      entry.clients.delete(writer);
      if (entry.clients.size === 0) this.release(entry);
    });
  }

  private attachUpstream(entry: Shared, upstream: ClientReadableStream<pb.Result__Output>): void {
    entry.upstream = upstream;
    this.options.onUpstreams?.(this.upstreams);
    upstream.on('data', (result: pb.Result__Output) => {
      const text = formatEvent('result', resultView(result), result.step);
      for (const client of entry.clients) client.eventText(text);
    });
    const fail = (error?: unknown) => {
      if (this.shared.get(entry.key) !== entry) return;
      this.shared.delete(entry.key);
      this.options.onUpstreams?.(this.upstreams);
      const problem = toProblem(
        error === undefined
          ? new UnavailableError('query', 'the live tail ended; reconnect to resume')
          : streamError('query', error),
      ).problem;
      for (const client of [...entry.clients]) {
        client.event('error', problem);
        client.close();
      }
    };
    upstream.on('error', (error) => {
      if (this.shared.get(entry.key) !== entry) return; // cancelled by us
      this.options.logger.warn({ err: error, tail: entry.key.replace(/\0/g, '/') }, 'live tail failed');
      fail(error);
    });
    upstream.on('end', () => fail());
  }

  private release(entry: Shared): void {
    if (this.shared.get(entry.key) !== entry) return;
    this.shared.delete(entry.key);
    entry.upstream?.cancel();
    this.options.onUpstreams?.(this.upstreams);
  }

  private async dedicated(request: pb.TailResultsRequest, writer: SseWriter): Promise<void> {
    const upstream = await this.options.open(request);
    if (writer.isClosed) {
      upstream.cancel();
      return;
    }
    this.dedicatedClients.add(writer);
    this.options.onUpstreams?.(this.upstreams);
    const finish = () => {
      if (this.dedicatedClients.delete(writer)) this.options.onUpstreams?.(this.upstreams);
    };
    upstream.on('data', (result: pb.Result__Output) =>
      writer.event('result', resultView(result), result.step),
    );
    upstream.on('error', (error) => {
      finish();
      if (writer.isClosed) return;
      writer.event('error', toProblem(streamError('query', error)).problem);
      writer.close();
    });
    upstream.on('end', () => {
      finish();
      writer.close();
    });
    writer.onClose(() => {
      finish();
      upstream.cancel();
    });
  }

  /** Cancels every upstream and closes every client (shutdown). */
  closeAll(): void {
    for (const client of [...this.dedicatedClients]) client.close();
    for (const entry of [...this.shared.values()]) {
      for (const client of [...entry.clients]) client.close();
      this.release(entry);
    }
  }
}
