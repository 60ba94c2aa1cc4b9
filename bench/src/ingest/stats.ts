/** Throughput and latency figures of one benchmark case. */
export interface Throughput {
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** Megabytes (10^6 bytes) per second of payload. */
  readonly mbPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function throughput(
  records: number,
  bytes: number,
  seconds: number,
  latenciesMs: number[],
): Throughput {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    records,
    bytes,
    seconds: round(seconds, 3),
    recordsPerSecond: round(records / seconds, 1),
    mbPerSecond: round(bytes / seconds / 1e6, 1),
    latencyP50Ms: round(percentile(sorted, 50), 2),
    latencyP99Ms: round(percentile(sorted, 99), 2),
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
