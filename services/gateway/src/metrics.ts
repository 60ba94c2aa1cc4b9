/** The gateway's domain metrics (names with units; route = the route pattern, never the raw URL). */
import {
  Counter,
  Gauge,
  Histogram,
  LATENCY_BUCKETS,
  SIZE_BUCKETS,
  type Registry,
} from '@simstream/observability';

export class GatewayMetrics {
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route' | 'method'>;
  readonly authFailures: Counter<'reason'>;
  readonly authStale: Counter;
  readonly rateLimited: Counter<'store'>;
  readonly rateLimitStore: Gauge<'store'>;
  readonly sseClients: Gauge<'stream'>;
  readonly sseEvents: Counter<'stream'>;
  readonly sseDropped: Counter<'stream'>;
  readonly sseUpstreams: Gauge;
  readonly sseWaiting: Gauge;
  readonly uploadBytes: Counter<'format'>;
  readonly uploadBodyBytes: Histogram<'format'>;
  readonly uploadFrames: Counter<'format' | 'outcome'>;
  readonly uploadInFlightBytes: Gauge;
  readonly fallbacks: Counter<'what'>;
  readonly exports: Counter<'outcome'>;
  readonly exportBytes: Counter;

  private readonly registry: Registry;

  constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    this.requests = new Counter({
      name: 'simstream_gateway_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'simstream_gateway_request_duration_seconds',
      help: 'Time to answer an HTTP request (to the end of the response; SSE: to the first byte)',
      labelNames: ['route', 'method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.authFailures = new Counter({
      name: 'simstream_gateway_auth_failures_total',
      help: 'Refused credentials by reason (missing, malformed, unknown_key, bad_secret, revoked, jwt_*, store_unavailable)',
      labelNames: ['reason'],
      registers,
    });
    this.authStale = new Counter({
      name: 'simstream_gateway_auth_stale_accepts_total',
      help: 'API keys accepted from an expired cache entry because Postgres failed',
      registers,
    });
    this.rateLimited = new Counter({
      name: 'simstream_gateway_rate_limited_total',
      help: 'Requests refused with 429, by the store that counted them',
      labelNames: ['store'],
      registers,
    });
    this.rateLimitStore = new Gauge({
      name: 'simstream_gateway_rate_limit_store',
      help: 'Where rate limits are counted now: 1 for the active store (redis = shared across replicas, memory = fallback)',
      labelNames: ['store'],
      registers,
    });
    this.sseClients = new Gauge({
      name: 'simstream_gateway_sse_clients',
      help: 'Open Server-Sent Events streams',
      labelNames: ['stream'],
      registers,
    });
    this.sseEvents = new Counter({
      name: 'simstream_gateway_sse_events_total',
      help: 'Server-Sent Events written',
      labelNames: ['stream'],
      registers,
    });
    this.sseDropped = new Counter({
      name: 'simstream_gateway_sse_dropped_total',
      help: 'Events not written because a client read too slowly (latest-only: superseded; live: the client was closed and resumes)',
      labelNames: ['stream'],
      registers,
    });
    this.sseUpstreams = new Gauge({
      name: 'simstream_gateway_sse_upstream_tails',
      help: 'Live gRPC tails held open for SSE clients (shared by clients of the same simulation)',
      registers,
    });
    this.sseWaiting = new Gauge({
      name: 'simstream_gateway_sse_waiting_streams',
      help: 'Live result streams opened with wait=true whose simulation has not started (or is not readable by their tenant)',
      registers,
    });
    this.uploadBytes = new Counter({
      name: 'simstream_gateway_upload_bytes_total',
      help: 'Frame upload body bytes received, by format',
      labelNames: ['format'],
      registers,
    });
    this.uploadBodyBytes = new Histogram({
      name: 'simstream_gateway_upload_body_bytes',
      help: 'Size of frame upload bodies',
      labelNames: ['format'],
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.uploadFrames = new Counter({
      name: 'simstream_gateway_upload_frames_total',
      help: 'Uploaded frames by format and outcome (acked, rejected)',
      labelNames: ['format', 'outcome'],
      registers,
    });
    this.uploadInFlightBytes = new Gauge({
      name: 'simstream_gateway_upload_inflight_bytes',
      help: 'Bytes of frame uploads held now (bounded by GATEWAY_MAX_UPLOAD_INFLIGHT_BYTES)',
      registers,
    });
    this.fallbacks = new Counter({
      name: 'simstream_gateway_fallbacks_total',
      help: 'Answers served from the last good copy because a downstream failed',
      labelNames: ['what'],
      registers,
    });
    this.exports = new Counter({
      name: 'simstream_gateway_exports_total',
      help: 'Arrow export requests, by outcome (ok; cancelled: the client went away; rejected: 4xx before the first byte; error: the query service failed)',
      labelNames: ['outcome'],
      registers,
    });
    this.exportBytes = new Counter({
      name: 'simstream_gateway_export_bytes_total',
      help: 'Arrow IPC bytes relayed to clients',
      registers,
    });
  }

  /** Decode workers terminated at their deadline or lost (hostile or too complex bodies). */
  watchDecodePool(replaced: () => number): void {
    new Counter({
      name: 'simstream_gateway_decode_workers_replaced_total',
      help: 'Upload decode workers terminated at their deadline or lost, and replaced',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(replaced());
      },
    });
  }
}
