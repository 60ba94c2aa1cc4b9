/** The quantum service's domain metrics (names with units; failures counted by reason). */
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from '@simstream/observability';

/** Where a solve came from. */
export type SolvePath = 'frame' | 'grpc' | 'job';

const VARIABLE_BUCKETS = [2, 16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576];
const SOLVE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];

export class QuantumMetrics {
  readonly solves: Counter<'path' | 'solver' | 'outcome'>;
  readonly solveSeconds: Histogram<'path'>;
  readonly variables: Histogram<'path'>;
  readonly inProgress: Gauge<'path'>;
  readonly cacheRequests: Counter<'result'>;
  readonly cacheErrors: Counter;
  readonly cacheLookupSeconds: Histogram;
  readonly framesConsidered: Counter;
  readonly framesSkipped: Counter<'reason'>;
  readonly frameResultSeconds: Histogram;
  readonly rejected: Counter<'method' | 'reason'>;
  readonly jobs: Counter<'event'>;
  readonly jobsQueued: Gauge;
  readonly jobsRunning: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.solves = new Counter({
      name: 'simstream_quantum_solves_total',
      help: 'Solves by path (frame, grpc, job), solver and outcome (completed, time_limit, target, cancelled, cached, failed)',
      labelNames: ['path', 'solver', 'outcome'],
      registers,
    });
    this.solveSeconds = new Histogram({
      name: 'simstream_quantum_solve_duration_seconds',
      help: 'Wall time of a solve (not counting cache hits)',
      labelNames: ['path'],
      buckets: SOLVE_BUCKETS,
      registers,
    });
    this.variables = new Histogram({
      name: 'simstream_quantum_problem_variables',
      help: 'Variables per problem solved or served from cache',
      labelNames: ['path'],
      buckets: VARIABLE_BUCKETS,
      registers,
    });
    this.inProgress = new Gauge({
      name: 'simstream_quantum_solves_in_progress',
      help: 'Solves running now',
      labelNames: ['path'],
      registers,
    });
    this.cacheRequests = new Counter({
      name: 'simstream_quantum_cache_requests_total',
      help: 'Solution cache look-ups by result (hit, miss; Redis unavailable counts as miss)',
      labelNames: ['result'],
      registers,
    });
    this.cacheErrors = new Counter({
      name: 'simstream_quantum_cache_errors_total',
      help: 'Solution cache reads or writes that failed (Redis down, slow, or breaker open)',
      registers,
    });
    this.cacheLookupSeconds = new Histogram({
      name: 'simstream_quantum_cache_lookup_seconds',
      help: 'Time of a solution cache look-up',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.framesConsidered = new Counter({
      name: 'simstream_quantum_frames_considered_total',
      help: 'Frames read from the frames topic',
      registers,
    });
    this.framesSkipped = new Counter({
      name: 'simstream_quantum_frames_skipped_total',
      help: 'Frames that produced no result, by reason (bucket_done: its K-step bucket already has one)',
      labelNames: ['reason'],
      registers,
    });
    this.frameResultSeconds = new Histogram({
      name: 'simstream_quantum_frame_result_latency_seconds',
      help: 'From a frame entering Kafka (ingestedAt) to its partition result being durable in Kafka',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rejected = new Counter({
      name: 'simstream_quantum_requests_rejected_total',
      help: 'gRPC requests refused, by method and reason',
      labelNames: ['method', 'reason'],
      registers,
    });
    this.jobs = new Counter({
      name: 'simstream_quantum_jobs_total',
      help: 'Job events on this instance: submitted, started, succeeded, failed, cancelled, released',
      labelNames: ['event'],
      registers,
    });
    this.jobsQueued = new Gauge({
      name: 'simstream_quantum_jobs_queued',
      help: 'Jobs waiting to run (all instances; from Postgres, refreshed every few seconds)',
      registers,
    });
    this.jobsRunning = new Gauge({
      name: 'simstream_quantum_jobs_running',
      help: 'Jobs running on this instance',
      registers,
    });
  }
}
