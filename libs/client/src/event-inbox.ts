/**
 * The analysis events an uploader receives (ingestion pushes them into the StreamFrames
 * responses of a stream that opted in): de-duplicated by (kind, step), since the server sends
 * them at least once and again after a reconnect; handed to a callback and to async iterators;
 * and the step to ask for on the next reconnect (`since_step`: the last event step seen).
 *
 * "Last step seen" is kept per source of results: anomaly and pattern-change events come from
 * the neuromorphic results, in step order, partitions from the quantum ones, which lag behind
 * (a partition of step 90 can arrive after the anomaly of step 95). The reconnect asks since the
 * smaller of the two, so an event of the slower source is not skipped; what comes twice is
 * dropped here.
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

const SOURCE_OF: Record<string, 'neuromorphic' | 'quantum'> = {
  ANALYSIS_EVENT_KIND_ANOMALY: 'neuromorphic',
  ANALYSIS_EVENT_KIND_PATTERN_CHANGE: 'neuromorphic',
  ANALYSIS_EVENT_KIND_QUANTUM_PARTITION: 'quantum',
};

/** Keys remembered for de-duplication: far more than a reconnect can resend. */
const MAX_SEEN = 65_536;

export class EventInbox {
  readonly stats = { received: 0, duplicates: 0, droppedByServer: 0, droppedHere: 0 };
  /** Last event step seen per source of results. */
  private readonly lastStep = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly buffer: AnalysisEventOutput[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  /** Buffered only once someone iterates (a callback alone keeps nothing). */
  private iterating = false;

  constructor(private readonly options: EventOptions) {}

  /** The subscription for an OpenStream: since_step is the last event step seen, once there is one. */
  subscription(): EventSubscription {
    const since = this.lastStep.size > 0 ? Math.min(...this.lastStep.values()) : this.options.sinceStep;
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
    const source = SOURCE_OF[event.kind] ?? 'neuromorphic';
    this.lastStep.set(source, Math.max(this.lastStep.get(source) ?? event.step, event.step));
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
