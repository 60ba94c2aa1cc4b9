/**
 * The analysis events an uploader receives (ingestion pushes them into the StreamFrames
 * responses of a stream that opted in): de-duplicated by (kind, step), since the server sends
 * them at least once and again after a reconnect; handed to a callback and to async iterators;
 * and the step to ask for on the next reconnect (`since_step`: the last event step seen).
 */
import type { AnalysisEventOutput, EventSubscription } from '@simstream/contracts';

/** Short names of AnalysisEventKind. */
export type AnalysisEventName = 'anomaly' | 'pattern_change' | 'quantum_partition';

const KIND_OF: Record<AnalysisEventName, string> = {
  anomaly: 'ANALYSIS_EVENT_KIND_ANOMALY',
  pattern_change: 'ANALYSIS_EVENT_KIND_PATTERN_CHANGE',
  quantum_partition: 'ANALYSIS_EVENT_KIND_QUANTUM_PARTITION',
};

/** The short name of an event's kind (`anomaly` …). */
export function eventName(event: AnalysisEventOutput): AnalysisEventName | undefined {
  const entry = Object.entries(KIND_OF).find(([, kind]) => kind === event.kind);
  return entry?.[0] as AnalysisEventName | undefined;
}

export interface EventOptions {
  /** Which kinds; default all. */
  readonly kinds?: readonly AnalysisEventName[];
  /** Anomaly events at or above this anomaly score (server default 0.9). */
  readonly anomalyThreshold?: number;
  /** Events of steps >= this on the first open (default: the steps this uploader sends). */
  readonly sinceStep?: number;
  /** Called once per (kind, step), in arrival order. */
  readonly onEvent?: (event: AnalysisEventOutput) => void;
  /** Events kept for iterators that do not read (oldest dropped past it). Default 10,000. */
  readonly maxBuffered?: number;
}

/** Keys remembered for de-duplication: far more than a reconnect can resend. */
const MAX_SEEN = 65_536;

export class EventInbox {
  readonly stats = { received: 0, duplicates: 0, droppedByServer: 0, droppedHere: 0 };
  private lastStep: number | undefined;
  private readonly seen = new Set<string>();
  private readonly buffer: AnalysisEventOutput[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  /** Buffered only once someone iterates (a callback alone keeps nothing). */
  private iterating = false;

  constructor(private readonly options: EventOptions) {}

  /** The subscription for an OpenStream: since_step is the last event step seen, once there is one. */
  subscription(): EventSubscription {
    const since = this.lastStep ?? this.options.sinceStep;
    return {
      kinds: (this.options.kinds ?? []).map((k) => KIND_OF[k]) as EventSubscription['kinds'],
      ...(this.options.anomalyThreshold === undefined
        ? {}
        : { anomalyThreshold: this.options.anomalyThreshold }),
      ...(since === undefined ? {} : { sinceStep: since }),
    };
  }

  accept(event: AnalysisEventOutput): void {
    this.stats.received++;
    this.stats.droppedByServer += event.droppedBefore;
    const key = `${event.kind}:${event.step}`;
    if (this.seen.has(key)) {
      this.stats.duplicates++;
      return;
    }
    this.seen.add(key);
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.values().next().value!);
    this.lastStep = Math.max(this.lastStep ?? event.step, event.step);
    this.options.onEvent?.(event);
    if (!this.iterating) return;
    this.buffer.push(event);
    if (this.buffer.length > (this.options.maxBuffered ?? 10_000)) {
      this.buffer.shift();
      this.stats.droppedHere++;
    }
    this.wake();
  }

  /** No more events: iterators finish once they have read what is buffered. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Events as they arrive (each once), until the uploader closes. One reader at a time. */
  async *iterate(): AsyncGenerator<AnalysisEventOutput> {
    this.iterating = true;
    for (;;) {
      const next = this.buffer.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
