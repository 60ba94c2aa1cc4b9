/**
 * What the reads of one solve share within a thread: the best state so far (the incumbent),
 * the stop flag (shared across threads through a SharedArrayBuffer), the deadline, the work
 * counters, and cooperative yielding so that a solve in the calling thread still lets timers,
 * abort signals and worker messages through.
 */

export const STOP_NONE = 0;
export const STOP_TIME = 1;
export const STOP_TARGET = 2;
export const STOP_CANCELLED = 3;

/** Longest stretch of synchronous work between two yields to the event loop. */
const YIELD_EVERY_MS = 20;

export interface IncumbentOptions {
  /** performance.now() at which the solve started (in this thread's clock). */
  readonly start: number;
  /** performance.now() after which reads stop; Infinity for none. */
  readonly deadline: number;
  /** stop[0] ≠ 0 stops every read in every thread. */
  readonly stop: Int32Array;
  readonly target: number;
  /** Called after the incumbent improved. */
  readonly onImprove?: (incumbent: Incumbent) => void;
}

export class Incumbent {
  energy = Infinity;
  spins: Int8Array | undefined;
  /** Index of the read that found it (ties go to the lowest index, for determinism). */
  read = -1;
  /** Milliseconds from the start to when it was found. */
  atMs = 0;
  sweeps = 0;
  attempts = 0;
  reads = 0;
  private lastYield: number;

  constructor(readonly options: IncumbentOptions) {
    this.lastYield = performance.now();
  }

  /** Records (energy, spins) of read `read` if it beats the incumbent; copies the spins. */
  offer(
    energy: number,
    spins: Int8Array,
    read: number,
    atMs = performance.now() - this.options.start,
  ): boolean {
    if (energy > this.energy || (energy === this.energy && read >= this.read)) return false;
    const strictly = energy < this.energy;
    this.energy = energy;
    this.read = read;
    if (this.spins === undefined) this.spins = new Int8Array(spins.length);
    this.spins.set(spins);
    if (strictly) this.atMs = atMs;
    if (energy <= this.options.target) Atomics.compareExchange(this.options.stop, 0, STOP_NONE, STOP_TARGET);
    if (strictly) this.options.onImprove?.(this);
    return true;
  }

  /** True when reads must stop (flag raised here or elsewhere, or the deadline passed). */
  stopped(): boolean {
    if (Atomics.load(this.options.stop, 0) !== STOP_NONE) return true;
    if (performance.now() >= this.options.deadline) {
      Atomics.compareExchange(this.options.stop, 0, STOP_NONE, STOP_TIME);
      return true;
    }
    return false;
  }

  /** True when it is time to give the event loop a turn. */
  yieldDue(): boolean {
    return performance.now() - this.lastYield >= YIELD_EVERY_MS;
  }

  async yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
  }
}
