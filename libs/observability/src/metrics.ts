/**
 * A prom-client registry per service, with Node's default metrics and a `service` label, so
 * that several services in one test process keep separate registries.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Summary, Registry } from 'prom-client';

export interface MetricsOptions {
  readonly service: string;
  /** Process metrics (CPU, memory, event loop lag, GC); off for short-lived tools. */
  readonly defaultMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'simstream_' });
  return registry;
}

/** Latency buckets in seconds, from 0.5 ms to 60 s. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
/** Size buckets in bytes, 1 KiB to 256 MiB. */
export const SIZE_BUCKETS = [1024, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864, 268435456];
