/**
 * The analysis events of one stream that opted in: follows its simulation's results on query
 * (one tail per result kind it needs), derives the events (analysis-events.ts), queues them
 * (event-queue.ts) and writes them between the acks whenever the call's send buffer has room.
 *
 * Nothing here can hold up frames: acks are written by the session directly; events only use
 * the room left. A failed or ended tail is reopened with exponential backoff and jitter from the
 * step after the last result seen (the deriver keeps its pattern across), so events resume
 * where they stopped; NOT_FOUND (query has not materialized the simulation's first frame yet)
 * is waited out with short retries and is not an error.
 */
import { status as Status } from '@grpc/grpc-js';
import type { AnalysisEvent, StreamFramesResponse, pb } from '@simstream/contracts';
import { UnavailableError } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import { backoffMs } from '@simstream/resilience';
import { EventDeriver, EventKind, followStart, kindLabel, type Subscription } from './analysis-events.js';
import { EventQueue } from './event-queue.js';
import type { IngestMetrics } from './metrics.js';
import type { ResultTails, TailHandle, TailKind } from './result-tails.js';

export interface EventStreamDeps {
  readonly tails: ResultTails;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  /** Events held per stream before the oldest are dropped (the tails pause at half of it). */
  readonly maxQueued: number;
  /** Reopening a failed tail: backoff from `baseMs` doubling to `maxMs` (full jitter). */
  readonly retry: { readonly baseMs: number; readonly maxMs: number };
}

/** Where events go: the session's call. */
export interface EventOutput {
  write(message: StreamFramesResponse): void;
  /** False while the call's send buffer is full (the client is not reading fast enough). */
  canWrite(): boolean;
  /** Calls `listener` once when the send buffer has drained. */
  onceDrained(listener: () => void): void;
}

export interface EventStreamParams {
  readonly tenant: string;
  readonly simulationId: string;
  readonly subscription: Subscription;
  readonly lastDurableStep: number | undefined;
  readonly streamId: string;
}

const NOT_FOUND_RETRY = { baseMs: 100, maxMs: 1000 };

function statusName(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number') return Status[code] ?? String(code);
  return typeof code === 'string' ? code : 'UNKNOWN';
}

export class EventStream {
  private readonly queue: EventQueue;
  private readonly deriver: EventDeriver;
  private readonly handles = new Set<TailHandle>();
  private readonly stopController = new AbortController();
  private paused = false;
  private waitingForDrain = false;

  constructor(
    private readonly deps: EventStreamDeps,
    private readonly out: EventOutput,
    private readonly params: EventStreamParams,
  ) {
    this.queue = new EventQueue(deps.maxQueued);
    const start = followStart(params.subscription, params.lastDurableStep);
    this.deriver = new EventDeriver(params.simulationId, params.subscription, start.emitAfter);
    const kinds = params.subscription.kinds;
    deps.metrics.eventStreams.inc();
    if (kinds.has(EventKind.anomaly) || kinds.has(EventKind.patternChange))
      void this.follow('RESULT_KIND_NEUROMORPHIC', start.neuromorphicFrom, (r) =>
        this.deriver.neuromorphic(r),
      );
    if (kinds.has(EventKind.quantumPartition))
      void this.follow('RESULT_KIND_QUANTUM', start.quantumFrom, (r) => this.deriver.quantum(r));
  }

  /** The stream ended: stop following, forget what was queued. */
  stop(): void {
    if (this.stopController.signal.aborted) return;
    this.stopController.abort();
    for (const handle of this.handles) handle.cancel();
    this.handles.clear();
    this.queue.clear();
    this.deps.metrics.eventStreams.dec();
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Keeps one tail of `kind` open until stopped, reopening after the last step seen. */
  private async follow(
    kind: TailKind,
    fromStep: number,
    derive: (result: pb.Result__Output) => AnalysisEvent[],
  ): Promise<void> {
    let next = fromStep;
    let failures = 0;
    let waits = 0;
    while (!this.stopped) {
      let handle: TailHandle | undefined;
      const error = await new Promise<unknown>((resolve) => {
        this.deps.tails
          .open(
            { tenant: this.params.tenant, simulationId: this.params.simulationId, kind, fromStep: next },
            {
              onResult: (result) => {
                failures = 0;
                waits = 0;
                next = Math.max(next, result.step + 1);
                this.enqueue(derive(result));
              },
              onEnd: (e) => resolve(e ?? new UnavailableError('query', 'the tail ended')),
            },
          )
          .then(
            (h) => {
              handle = h;
              if (this.stopped) h.cancel();
              else {
                this.handles.add(h);
                if (this.paused) h.pause();
              }
            },
            (e: unknown) => resolve(e),
          );
      });
      if (handle !== undefined) this.handles.delete(handle);
      if (this.stopped) return;
      const reason = statusName(error);
      let delay: number;
      if (reason === 'NOT_FOUND') {
        delay = backoffMs(
          waits++,
          NOT_FOUND_RETRY.baseMs,
          NOT_FOUND_RETRY.maxMs,
          () => 0.5 + Math.random() / 2,
        );
      } else {
        this.deps.metrics.eventFollowErrors.inc({ reason });
        delay = backoffMs(failures++, this.deps.retry.baseMs, this.deps.retry.maxMs);
        if (failures === 1)
          this.deps.logger.warn(
            {
              stream: this.params.streamId,
              simulationId: this.params.simulationId,
              kind,
              reason,
              fromStep: next,
            },
            'following results for events failed; retrying with backoff',
          );
      }
      await this.sleep(delay);
    }
  }

  private enqueue(events: AnalysisEvent[]): void {
    if (this.stopped) return;
    for (const event of events) {
      const label = kindLabel(event.kind as EventKind);
      const dropped = this.queue.push({ event, kind: label });
      if (dropped !== undefined) this.deps.metrics.eventsDropped.inc({ kind: dropped.kind });
    }
    this.pump();
  }

  /** Writes queued events while the send buffer has room; pauses or resumes the tails. */
  private pump(): void {
    while (!this.stopped && this.queue.size > 0 && this.out.canWrite()) {
      const item = this.queue.shift()!;
      this.out.write({ event: item.event });
      this.deps.metrics.eventsSent.inc({ kind: item.kind });
      const producedAt = Number(item.event.producedAtMs ?? 0);
      if (producedAt > 0) this.deps.metrics.eventDelay.observe(Math.max(0, Date.now() - producedAt) / 1000);
    }
    if (this.stopped) return;
    if (this.queue.size > 0 && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.out.onceDrained(() => {
        this.waitingForDrain = false;
        this.pump();
      });
    }
    if (!this.paused && this.queue.full) {
      this.paused = true;
      for (const h of this.handles) h.pause();
    } else if (this.paused && this.queue.low) {
      this.paused = false;
      for (const h of this.handles) h.resume();
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.stopController.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
