/**
 * The last durable step of every simulation. Ingestion writes a Progress record in the same
 * Kafka transaction as each frame, so when the transaction commits both become visible together
 * and the table (the compacted progress topic, read whole by every instance) never claims a
 * step that is not durable. A stream reads it only after fencing every other writer of its
 * simulation and reading the simulation's partition to its end (`waitUntilCurrent`), so the
 * step it reports is final. Records only move forward (one writer at a time, writing only steps
 * above the durable one), and readers keep the maximum all the same.
 */
import type { Progress } from '@simstream/contracts';

export interface ProgressStore {
  lastDurableStep(simulationId: string): number | undefined;
  /** Records a step this instance has just made durable. */
  markDurable(progress: Progress): void;
  /** Resolves true once the store reflects everything written before this instance started. */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
  /** Resolves true once the store holds every record of the simulation committed before the call. */
  waitUntilCurrent(simulationId: string, timeoutMs: number): Promise<boolean>;
  readonly ready: boolean;
}

/** Keeps the larger step: progress only moves forward. */
export function mergeProgress(held: Progress, incoming: Progress): Progress {
  return incoming.lastDurableStep >= held.lastDurableStep ? incoming : held;
}

/** In-memory store for tests and tools; the service uses the Kafka-backed table. */
export class MemoryProgressStore implements ProgressStore {
  private readonly steps = new Map<string, Progress>();
  readonly ready = true;

  lastDurableStep(simulationId: string): number | undefined {
    return this.steps.get(simulationId)?.lastDurableStep;
  }

  markDurable(progress: Progress): void {
    const held = this.steps.get(progress.simulationId);
    this.steps.set(progress.simulationId, held === undefined ? progress : mergeProgress(held, progress));
  }

  waitUntilReady(): Promise<boolean> {
    return Promise.resolve(true);
  }

  waitUntilCurrent(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
