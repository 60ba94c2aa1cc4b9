/** The ingestion service's domain metrics (names with units, counted by reason on rejection). */
import {
  Counter,
  Gauge,
  Histogram,
  LATENCY_BUCKETS,
  SIZE_BUCKETS,
  type Registry,
} from '@simstream/observability';

export class IngestMetrics {
  readonly framesReceived: Counter;
  readonly bytesReceived: Counter;
  readonly framesAccepted: Counter;
  readonly bytesAccepted: Counter;
  readonly framesRejected: Counter<'reason'>;
  readonly frameBytes: Histogram;
  readonly produceLatency: Histogram;
  readonly ackLatency: Histogram;
  readonly inFlightBytes: Gauge;
  readonly openStreams: Gauge;
  readonly chunkedFrames: Counter;
  readonly streamsPaused: Counter;
  readonly streamsSuperseded: Counter;
  readonly takeoverSeconds: Histogram;
  readonly authFailures: Counter<'reason'>;
  readonly eventsSent: Counter<'kind'>;
  readonly eventsDropped: Counter<'kind'>;
  readonly eventFollowErrors: Counter<'reason'>;
  readonly eventStreams: Gauge;
  readonly eventDelay: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.authFailures = new Counter({
      name: 'simstream_ingest_auth_failures_total',
      help: 'Calls refused at authentication, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.framesReceived = new Counter({
      name: 'simstream_ingest_frames_received_total',
      help: 'Frames received',
      registers,
    });
    this.bytesReceived = new Counter({
      name: 'simstream_ingest_bytes_received_total',
      help: 'Frame data bytes received (as sent)',
      registers,
    });
    this.framesAccepted = new Counter({
      name: 'simstream_ingest_frames_accepted_total',
      help: 'Frames durable in Kafka and acknowledged',
      registers,
    });
    this.bytesAccepted = new Counter({
      name: 'simstream_ingest_bytes_accepted_total',
      help: 'Frame data bytes durable in Kafka and acknowledged',
      registers,
    });
    this.framesRejected = new Counter({
      name: 'simstream_ingest_frames_rejected_total',
      help: 'Frames rejected, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.frameBytes = new Histogram({
      name: 'simstream_ingest_frame_bytes',
      help: 'Frame data size as received',
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.produceLatency = new Histogram({
      name: 'simstream_ingest_produce_latency_seconds',
      help: 'From handing a valid frame to Kafka to its commit (acks=all)',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ackLatency = new Histogram({
      name: 'simstream_ingest_ack_latency_seconds',
      help: 'From receiving a frame to sending its ack or rejection',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.inFlightBytes = new Gauge({
      name: 'simstream_ingest_in_flight_bytes',
      help: 'Frame bytes received and not yet acknowledged or rejected',
      registers,
    });
    this.openStreams = new Gauge({
      name: 'simstream_ingest_open_streams',
      help: 'Open StreamFrames calls',
      registers,
    });
    this.chunkedFrames = new Counter({
      name: 'simstream_ingest_chunked_frames_total',
      help: 'Frames written as chunks (larger than the topic message limit)',
      registers,
    });
    this.streamsPaused = new Counter({
      name: 'simstream_ingest_stream_pauses_total',
      help: 'Times a stream stopped reading because an in-flight budget was exhausted',
      registers,
    });
    this.streamsSuperseded = new Counter({
      name: 'simstream_ingest_streams_superseded_total',
      help: 'Streams ended because a newer stream or batch took their simulation on this instance',
      registers,
    });
    this.takeoverSeconds = new Histogram({
      name: 'simstream_ingest_takeover_seconds',
      help: 'Taking a simulation: superseding the local holder, fencing its Kafka writers, reading its progress',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.eventsSent = new Counter({
      name: 'simstream_ingest_events_sent_total',
      help: 'Analysis events written to streams that opted in, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.eventsDropped = new Counter({
      name: 'simstream_ingest_events_dropped_total',
      help: 'Analysis events dropped because a stream did not read its responses (queue full), by kind',
      labelNames: ['kind'],
      registers,
    });
    this.eventFollowErrors = new Counter({
      name: 'simstream_ingest_event_follow_errors_total',
      help: "Failures following a simulation's results on query (retried with backoff), by gRPC status",
      labelNames: ['reason'],
      registers,
    });
    this.eventStreams = new Gauge({
      name: 'simstream_ingest_event_streams',
      help: 'Open streams that opted in to analysis events',
      registers,
    });
    this.eventDelay = new Histogram({
      name: 'simstream_ingest_event_delay_seconds',
      help: 'From the analysis result produced (its produced_at) to its event written to the stream',
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }
}
