/** Kafka header names we write, so consumers can route without decoding values. */
export const Header = {
  /** Full Avro record name of the value, e.g. io.simstream.v1.Frame. */
  record: 'simstream-record',
  frameId: 'simstream-frame-id',
  step: 'simstream-step',
  /** "index/count" on FrameChunk records. */
  chunk: 'simstream-chunk',
  // Dead-letter records:
  dlqReason: 'simstream-dlq-reason',
  dlqError: 'simstream-dlq-error',
  dlqTopic: 'simstream-dlq-source-topic',
  dlqPartition: 'simstream-dlq-source-partition',
  dlqOffset: 'simstream-dlq-source-offset',
  dlqGroup: 'simstream-dlq-consumer-group',
} as const;
