/**
 * The metrics of a kind of producer (`simstream_kafka_<name>_*`): one set, registered once,
 * shared by every producer of that kind (ingestion has one per simulation).
 */
import {
  Counter,
  Gauge,
  Histogram,
  LATENCY_BUCKETS,
  SIZE_BUCKETS,
  type Registry,
} from '@simstream/observability';

export interface ProducerMetrics {
  readonly requestSeconds: Histogram;
  readonly batchBytes: Histogram;
  readonly batches: Counter;
  readonly failures: Counter;
  readonly queuedBytes: Gauge;
}

/** The metrics of producers named `name`, registered in `registry` once. */
export function producerMetrics(registry: Registry, name: string): ProducerMetrics {
  const registers = [registry];
  return {
    requestSeconds: new Histogram({
      name: `simstream_kafka_${name}_produce_seconds`,
      help: 'Time to write one batch to Kafka (incl. commit when transactional), acks=all',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    batchBytes: new Histogram({
      name: `simstream_kafka_${name}_batch_bytes`,
      help: 'Record bytes per batch written to Kafka',
      buckets: SIZE_BUCKETS,
      registers,
    }),
    batches: new Counter({
      name: `simstream_kafka_${name}_batches_total`,
      help: 'Batches written to Kafka',
      registers,
    }),
    failures: new Counter({
      name: `simstream_kafka_${name}_failures_total`,
      help: 'Failed attempts to write a batch, by kind (transient, reset, permanent, fenced, timeout, lost)',
      labelNames: ['kind'],
      registers,
    }),
    queuedBytes: new Gauge({
      name: `simstream_kafka_${name}_queued_bytes`,
      help: 'Record bytes waiting for or in a Kafka request',
      registers,
    }),
  };
}
