/** The query service's domain metrics (names with units). */
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from '@simstream/observability';

export type CacheLevel = 'l1' | 'l2';

export class QueryMetrics {
  readonly rowsUpserted: Counter<'table' | 'outcome'>;
  readonly batchSeconds: Histogram<'topic'>;
  readonly delay: Histogram<'kind'>;
  readonly influxPoints: Counter;
  readonly recordsIgnored: Counter;
  readonly jobResultsUnknown: Counter;
  readonly announcePending: Gauge;
  readonly cache: Counter<'level' | 'outcome'>;
  readonly rpcSeconds: Histogram<'rpc' | 'code'>;
  readonly tailSubscribers: Gauge<'mode'>;
  readonly tailResults: Counter<'mode'>;
  readonly exportRows: Counter;
  readonly exportBytes: Counter;
  readonly exports: Counter<'outcome'>;
  readonly exportsInProgress: Gauge;
  readonly versionReads: Counter<'source'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.rowsUpserted = new Counter({
      name: 'simstream_query_rows_upserted_total',
      help: 'Rows the materializer met, by table and outcome (inserted; kept: another copy of the same identity was already held)',
      labelNames: ['table', 'outcome'],
      registers,
    });
    this.batchSeconds = new Histogram({
      name: 'simstream_query_materialize_batch_seconds',
      help: 'Time to materialize one consumed batch (rows, Postgres transaction, InfluxDB write)',
      labelNames: ['topic'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.delay = new Histogram({
      name: 'simstream_query_materialize_delay_seconds',
      help: 'From the record time (ingestion or production) to materialized, by kind',
      labelNames: ['kind'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.influxPoints = new Counter({
      name: 'simstream_query_influx_points_total',
      help: 'Points written to InfluxDB (rewrites of a replayed batch included)',
      registers,
    });
    this.recordsIgnored = new Counter({
      name: 'simstream_query_records_ignored_total',
      help: 'Consumed records of a type the materializer does not store',
      registers,
    });
    this.jobResultsUnknown = new Counter({
      name: 'simstream_query_job_results_unknown_total',
      help: 'Job results whose job has no row in Postgres (not written by the quantum service)',
      registers,
    });
    this.announcePending = new Gauge({
      name: 'simstream_query_version_announcements_pending',
      help: 'Simulation versions not yet published to Redis (retried while Redis is down)',
      registers,
    });
    this.cache = new Counter({
      name: 'simstream_query_cache_requests_total',
      help: 'Cache lookups by level (l1 in-process, l2 Redis) and outcome (hit, miss, error)',
      labelNames: ['level', 'outcome'],
      registers,
    });
    this.rpcSeconds = new Histogram({
      name: 'simstream_query_rpc_seconds',
      help: 'gRPC call latency by method and status (streams: until the stream ends)',
      labelNames: ['rpc', 'code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tailSubscribers = new Gauge({
      name: 'simstream_query_tail_subscribers',
      help: 'Open TailResults streams, by mode (all, latest)',
      labelNames: ['mode'],
      registers,
    });
    this.tailResults = new Counter({
      name: 'simstream_query_tail_results_sent_total',
      help: 'Results sent on TailResults streams, by mode',
      labelNames: ['mode'],
      registers,
    });
    this.exportRows = new Counter({
      name: 'simstream_query_export_rows_total',
      help: 'Rows written to Arrow exports',
      registers,
    });
    this.exportBytes = new Counter({
      name: 'simstream_query_export_bytes_total',
      help: 'Arrow IPC bytes handed to export streams (each waits for the client when it falls behind)',
      registers,
    });
    this.exports = new Counter({
      name: 'simstream_query_exports_total',
      help: 'Arrow export calls, by outcome (ok; cancelled: the client went away or its deadline passed; rejected: invalid or not found; error)',
      labelNames: ['outcome'],
      registers,
    });
    this.exportsInProgress = new Gauge({
      name: 'simstream_query_exports_in_progress',
      help: 'Arrow exports streaming now (one that never ends shows here)',
      registers,
    });
    this.versionReads = new Counter({
      name: 'simstream_query_version_lookups_total',
      help: 'Simulation version lookups by source (local: learned from notifications, postgres)',
      labelNames: ['source'],
      registers,
    });
  }
}
