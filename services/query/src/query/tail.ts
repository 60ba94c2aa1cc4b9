/**
 * A TailResults stream: the history from `fromStep` in pages, then the live tail without a gap —
 * the stream's waker is registered before the first read, and every read asks for "step > last
 * sent", so whatever committed meanwhile is read next. Postgres is the only queue: a slow
 * client is never buffered for (the next page is read only after the previous one drained).
 * In latest-only mode at most one result is in flight, and it is always the newest.
 */
import type { ResultRecord } from './store.js';

/** Wake-ups from change notifications, coalesced: one pending flag, one waiter. */
export class Waker {
  private pending = false;
  private resolve: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    this.resolve?.();
  }

  /** Returns at the next wake-up (at once if one came since the last wait), after `ms`, or on abort. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (!this.pending && !signal.aborted) {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => this.resolve?.();
      await new Promise<void>((resolve) => {
        this.resolve = resolve;
        timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      this.resolve = undefined;
    }
    this.pending = false;
  }
}

export interface TailSource {
  /** Rows with step > afterStep, ascending, at most `limit`. */
  after(afterStep: number, limit: number): Promise<ResultRecord[]>;
  latest(): Promise<ResultRecord | undefined>;
}

export interface TailSink {
  /** False when the client is not keeping up: wait for `drained` before writing more. */
  write(result: ResultRecord): boolean;
  drained(): Promise<void>;
}

export interface TailOptions {
  readonly fromStep: number | undefined;
  readonly latestOnly: boolean;
  readonly pageSize: number;
  /** How long to wait for a wake-up before reading anyway (short while notifications are down). */
  readonly pollIntervalMs: () => number;
  readonly signal: AbortSignal;
}

/** Runs until the signal aborts (client gone); throws what the source throws. */
export async function runTail(
  source: TailSource,
  sink: TailSink,
  waker: Waker,
  options: TailOptions,
): Promise<void> {
  const { signal } = options;
  if (options.latestOnly) {
    let lastSent = -1;
    const floor = options.fromStep ?? 0;
    while (!signal.aborted) {
      const newest = await source.latest();
      if (!signal.aborted && newest !== undefined && newest.step > lastSent && newest.step >= floor) {
        lastSent = newest.step;
        if (!sink.write(newest)) await sink.drained();
        // Whatever arrived while this one drained: the loop reads the newest again.
        continue;
      }
      await waker.wait(options.pollIntervalMs(), signal);
    }
    return;
  }

  let lastSent =
    options.fromStep !== undefined ? options.fromStep - 1 : ((await source.latest())?.step ?? -1);
  while (!signal.aborted) {
    const rows = await source.after(lastSent, options.pageSize);
    for (const row of rows) {
      if (signal.aborted) return;
      lastSent = row.step;
      if (!sink.write(row)) await sink.drained();
    }
    if (rows.length < options.pageSize) await waker.wait(options.pollIntervalMs(), signal);
  }
}
