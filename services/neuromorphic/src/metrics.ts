/** The neuromorphic service's domain metrics (names with units; skips counted by reason). */
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from '@simstream/observability';

const STREAM_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

export class NeuroMetrics {
  readonly framesProcessed: Counter;
  readonly framesSkipped: Counter<'reason'>;
  readonly resultsPublished: Counter;
  readonly alarms: Counter;
  readonly checkpointsWritten: Counter;
  readonly checkpointBytes: Counter;
  readonly checkpointSeconds: Histogram;
  readonly checkpointsLoaded: Counter<'outcome'>;
  readonly layoutChanges: Counter;
  readonly stepSeconds: Histogram;
  readonly stepStreams: Histogram;
  readonly featureSeconds: Histogram;
  readonly frameSeconds: Histogram;
  readonly simulations: Gauge;
  readonly backendInfo: Gauge<'backend' | 'tfjs_backend' | 'gpu'>;

  /** Source of the simulations gauge (set once the analyzer exists). */
  simulationsTracked: () => number = () => 0;

  constructor(registry: Registry) {
    const tracked = () => this.simulationsTracked();
    const registers = [registry];
    this.framesProcessed = new Counter({
      name: 'simstream_neuromorphic_frames_processed_total',
      help: 'Frames stepped through a detector',
      registers,
    });
    this.framesSkipped = new Counter({
      name: 'simstream_neuromorphic_frames_skipped_total',
      help: 'Frames not stepped: replay (step already processed) or tenant (not served here)',
      labelNames: ['reason'],
      registers,
    });
    this.resultsPublished = new Counter({
      name: 'simstream_neuromorphic_results_published_total',
      help: 'Results durable in Kafka (acks=all)',
      registers,
    });
    this.alarms = new Counter({
      name: 'simstream_neuromorphic_alarms_total',
      help: 'Frames whose anomaly score reached the alarm threshold outside a refractory period',
      registers,
    });
    this.checkpointsWritten = new Counter({
      name: 'simstream_neuromorphic_checkpoints_written_total',
      help: 'Simulation detector states written to Postgres',
      registers,
    });
    this.checkpointBytes = new Counter({
      name: 'simstream_neuromorphic_checkpoint_bytes_total',
      help: 'Bytes of detector state written to Postgres',
      registers,
    });
    this.checkpointSeconds = new Histogram({
      name: 'simstream_neuromorphic_checkpoint_write_seconds',
      help: 'Time to export and write one batch of checkpoints',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.checkpointsLoaded = new Counter({
      name: 'simstream_neuromorphic_checkpoints_loaded_total',
      help: 'Simulations seen after an assignment, by checkpoint outcome: restored, mismatch (other model or layout: fresh state), none',
      labelNames: ['outcome'],
      registers,
    });
    this.layoutChanges = new Counter({
      name: 'simstream_neuromorphic_layout_changes_total',
      help: 'Simulations whose field set changed (their detector state starts afresh)',
      registers,
    });
    this.stepSeconds = new Histogram({
      name: 'simstream_neuromorphic_step_seconds',
      help: 'Duration of one detector step (one tensor op over many streams)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.stepStreams = new Histogram({
      name: 'simstream_neuromorphic_step_streams',
      help: 'Streams per detector step (including padding of a lone stream)',
      buckets: STREAM_BUCKETS,
      registers,
    });
    this.featureSeconds = new Histogram({
      name: 'simstream_neuromorphic_feature_seconds',
      help: 'Feature extraction per frame (event-loop CPU; decompression runs on the libuv pool)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.frameSeconds = new Histogram({
      name: 'simstream_neuromorphic_frame_processing_seconds',
      help: "Per frame: feature extraction plus the detector step it took part in (the result's processingMs)",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.simulations = new Gauge({
      name: 'simstream_neuromorphic_simulations',
      help: 'Simulations whose detector state this instance holds',
      registers,
      collect() {
        this.set(tracked());
      },
    });
    this.backendInfo = new Gauge({
      name: 'simstream_neuromorphic_backend_info',
      help: 'The tfjs backend the detectors run on (value 1)',
      labelNames: ['backend', 'tfjs_backend', 'gpu'],
      registers,
    });
  }
}
