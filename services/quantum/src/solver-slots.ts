/**
 * A fixed number of solver slots, each a one-thread SolverPool: a SolverPool runs one solve at
 * a time over all its workers, so concurrent solves need one pool each. Solves run on worker
 * threads and the event loop stays free for gRPC, Kafka heartbeats and progress messages.
 * Callers either take a free slot or give up at once (gRPC: RESOURCE_EXHAUSTED), or wait in
 * line (frames).
 */
import { CancelledError } from '@simstream/errors';
import { SolverPool } from '@simstream/solver';

export interface SolverSlot {
  readonly pool: SolverPool;
  release(): void;
}

export class SolverSlots {
  private readonly free: SolverPool[];
  private readonly all: SolverPool[];
  private readonly waiters: ((pool: SolverPool) => void)[] = [];

  constructor(
    readonly size: number,
    makePool: () => SolverPool = () => new SolverPool({ size: 1 }),
  ) {
    this.all = Array.from({ length: size }, makePool);
    this.free = [...this.all];
  }

  get busy(): number {
    return this.size - this.free.length;
  }

  /** A free slot now, or undefined when all are busy. */
  tryAcquire(): SolverSlot | undefined {
    const pool = this.free.pop();
    return pool === undefined ? undefined : this.slot(pool);
  }

  /** The next free slot, waiting in line; rejects with CancelledError when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<SolverSlot> {
    const now = this.tryAcquire();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter = (pool: SolverPool): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.slot(pool));
      };
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(new CancelledError('gave up waiting for a solver slot'));
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private slot(pool: SolverPool): SolverSlot {
    let released = false;
    return {
      pool,
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiters.shift();
        if (next !== undefined) next(pool);
        else this.free.push(pool);
      },
    };
  }

  /** Stops every worker (waits for solves in progress on them). */
  async close(): Promise<void> {
    await Promise.all(this.all.map((p) => p.close()));
  }
}
