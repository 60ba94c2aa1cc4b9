/**
 * The Kafka topics of simstream: one definition each, used by `ensureTopics` locally and by
 * the k8s/ KafkaTopic resources (generated from, and checked against, this table). Partition
 * counts are the production ones: twelve partitions let twelve consumer pods share the load,
 * and a one-broker local cluster runs them the same way.
 */

export interface TopicDefinition {
  readonly name: string;
  readonly partitions: number;
  readonly description: string;
  /** Kafka topic configuration (strings, as the broker takes them). */
  readonly config: Readonly<Record<string, string>>;
  /**
   * Compacted topics only (retention.bytes does not bound them): the most bytes one partition is
   * expected to hold, live keys plus dirty segments. Disk sizing (deploy-check) counts it.
   */
  readonly compactedBytesPerPartition?: number;
}

export interface TopicEnvironment {
  /** 1 on a single local broker, 3 in a cluster. */
  readonly replicationFactor: number;
  /** min.insync.replicas: 1 locally, 2 in a cluster (with acks=all: one broker may fail). */
  readonly minInsyncReplicas: number;
  /**
   * A smaller disk than the cluster's: retention.bytes and segment.bytes of every topic are
   * capped at these (the k8s dev overlay's one node on a 20 GiB ephemeral volume).
   */
  readonly maxRetentionBytes?: number;
  readonly maxSegmentBytes?: number;
}

export const LOCAL_TOPIC_ENVIRONMENT: TopicEnvironment = { replicationFactor: 1, minInsyncReplicas: 1 };
export const CLUSTER_TOPIC_ENVIRONMENT: TopicEnvironment = { replicationFactor: 3, minInsyncReplicas: 2 };
/** k8s/overlays/dev: one broker, and topics capped to fit its small volume. */
export const DEV_CLUSTER_TOPIC_ENVIRONMENT: TopicEnvironment = {
  replicationFactor: 1,
  minInsyncReplicas: 1,
  maxRetentionBytes: 128 * 1024 * 1024,
  maxSegmentBytes: 32 * 1024 * 1024,
};

/** The environment named by KAFKA_TOPIC_ENVIRONMENT. */
export function topicEnvironment(name: 'local' | 'cluster'): TopicEnvironment {
  return name === 'cluster' ? CLUSTER_TOPIC_ENVIRONMENT : LOCAL_TOPIC_ENVIRONMENT;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const DAY_MS = 24 * 3600 * 1000;

export const TopicName = {
  frames: 'simstream.frames.v1',
  progress: 'simstream.progress.v1',
  neuromorphicResults: 'simstream.neuromorphic.results.v1',
  quantumResults: 'simstream.quantum.results.v1',
  quantumJobs: 'simstream.quantum.jobs.v1',
  dlq: 'simstream.dlq.v1',
} as const;
export type TopicName = (typeof TopicName)[keyof typeof TopicName];

/**
 * Largest record batch the frames topic takes. Frames whose encoding is larger travel as
 * chunks of FRAME_CHUNK_BYTES in one transaction.
 */
export const FRAMES_MAX_MESSAGE_BYTES = 8 * MiB;
export const FRAME_CHUNK_BYTES = 4 * MiB;

const BASE_TOPICS: readonly TopicDefinition[] = [
  {
    name: TopicName.frames,
    partitions: 12,
    description: 'Frames of running simulations (Avro Frame or FrameChunk), keyed by simulation id.',
    config: {
      'cleanup.policy': 'delete',
      // Whichever comes first: 3 days, or 16 GiB per partition (192 GiB of frames per broker
      // with 12 partitions, RF 3 over 3 brokers; deploy-check holds the total under 70 % of
      // the broker volume). At ~1 MB/s sustained the bytes cap is reached in about 2 days.
      'retention.ms': String(3 * DAY_MS),
      'retention.bytes': String(16 * GiB),
      // Arrays are compressed end to end by their own codec when worth it; recompressing
      // floats costs CPU for little gain.
      'compression.type': 'producer',
      'max.message.bytes': String(FRAMES_MAX_MESSAGE_BYTES),
      // Deletion frees whole segments, so one segment per partition comes on top of the cap.
      'segment.bytes': String(256 * MiB),
      'message.timestamp.type': 'CreateTime',
    },
  },
  {
    name: TopicName.progress,
    partitions: 12,
    description: 'Last durable step per simulation (Avro Progress), compacted, keyed by simulation id.',
    config: {
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': '0',
      // Roll often so compaction keeps what a starting instance must read small.
      'segment.ms': String(10 * 60 * 1000),
      'min.cleanable.dirty.ratio': '0.1',
      'segment.bytes': String(64 * MiB),
      'compression.type': 'producer',
      'max.message.bytes': String(1 * MiB),
    },
    // One small record per simulation after compaction; the rest is dirty segments.
    compactedBytesPerPartition: 128 * MiB,
  },
  {
    name: TopicName.neuromorphicResults,
    partitions: 12,
    description: 'One spiking-network result per frame (Avro NeuromorphicResult), keyed by simulation id.',
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(14 * DAY_MS),
      'retention.bytes': String(2 * GiB),
      'segment.bytes': String(128 * MiB),
      'compression.type': 'producer',
      'max.message.bytes': String(1 * MiB),
    },
  },
  {
    name: TopicName.quantumResults,
    partitions: 12,
    description: 'Solved optimisation problems (Avro QuantumResult), keyed by simulation id or job id.',
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(14 * DAY_MS),
      'retention.bytes': String(2 * GiB),
      'segment.bytes': String(128 * MiB),
      'compression.type': 'producer',
      'max.message.bytes': String(8 * MiB),
    },
  },
  {
    name: TopicName.quantumJobs,
    partitions: 12,
    description: 'Optimisation jobs submitted by users, keyed by job id.',
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(7 * DAY_MS),
      'retention.bytes': String(1 * GiB),
      'segment.bytes': String(128 * MiB),
      'compression.type': 'producer',
      'max.message.bytes': String(FRAMES_MAX_MESSAGE_BYTES),
    },
  },
  {
    name: TopicName.dlq,
    partitions: 3,
    description:
      'Messages no consumer could decode, with the reason, source topic, partition and offset in headers.',
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(30 * DAY_MS),
      'retention.bytes': String(4 * GiB),
      'segment.bytes': String(128 * MiB),
      'compression.type': 'producer',
      'max.message.bytes': String(FRAMES_MAX_MESSAGE_BYTES),
    },
  },
];

/** The topic table for an environment (replication and min.insync.replicas filled in). */
export function topicDefinitions(
  environment: TopicEnvironment = LOCAL_TOPIC_ENVIRONMENT,
): (TopicDefinition & {
  readonly replicationFactor: number;
})[] {
  const capped = (config: Readonly<Record<string, string>>, key: string, max?: number) =>
    max !== undefined && config[key] !== undefined && Number(config[key]) > max ? { [key]: String(max) } : {};
  return BASE_TOPICS.map((topic) => ({
    ...topic,
    replicationFactor: environment.replicationFactor,
    config: {
      ...topic.config,
      ...capped(topic.config, 'retention.bytes', environment.maxRetentionBytes),
      ...capped(topic.config, 'segment.bytes', environment.maxSegmentBytes),
      'min.insync.replicas': String(environment.minInsyncReplicas),
    },
  }));
}

export function topicDefinition(name: TopicName, environment?: TopicEnvironment) {
  const found = topicDefinitions(environment).find((t) => t.name === name);
  if (found === undefined) throw new Error(`unknown topic ${name}`);
  return found;
}
