/** What a downstream consumer sees of a simulation's frames, and checks on it. */
import type { Frame } from '@simstream/contracts';
import type { ConsumedRecord } from '@simstream/kafka';

/** Steps of `simulationId` in log order. */
export function stepsOf(records: readonly ConsumedRecord[], simulationId: string): number[] {
  return records.filter((r) => r.key === simulationId).map((r) => (r.value as Frame).step);
}

/**
 * What an idempotent consumer processes: it skips any step not after the last one it processed
 * (a resend after a failure repeats steps with the same content).
 */
export function deduplicated(steps: readonly number[]): number[] {
  const out: number[] = [];
  for (const step of steps) if (out.length === 0 || step > out[out.length - 1]!) out.push(step);
  return out;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
