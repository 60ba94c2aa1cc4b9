/**
 * Strimzi KafkaTopic resources generated from the topic table in @simstream/kafka, the same
 * table `ensureTopics` uses locally: k8s/ never restates a partition count or a retention.
 */
import { stringify } from 'yaml';
import {
  CLUSTER_TOPIC_ENVIRONMENT,
  DEV_CLUSTER_TOPIC_ENVIRONMENT,
  topicDefinitions,
  type TopicEnvironment,
} from '@simstream/kafka';

/** The Strimzi Kafka resource's name in k8s/base/kafka (its `strimzi.io/cluster` label). */
export const KAFKA_CLUSTER_NAME = 'simstream';

const HEADER = (what: string) =>
  `# Generated from libs/kafka/src/topics.ts (${what}); do not edit.\n` +
  '# Regenerate: pnpm --filter @simstream/deploy-check gen:topics (a test fails when this file is stale).\n';

/** Compacted topics' size bound (retention.bytes does not apply to them), for disk sizing. */
export const COMPACTED_BYTES_ANNOTATION = 'simstream.dev/compacted-bytes-per-partition';

/** Kubernetes names cannot hold every Kafka name; spec.topicName keeps the real one. */
export function topicResourceName(topic: string): string {
  return topic.replace(/[^a-z0-9-]/g, '-');
}

function topicResource(
  topic: ReturnType<typeof topicDefinitions>[number],
  cluster: string,
): Record<string, unknown> {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaTopic',
    metadata: {
      name: topicResourceName(topic.name),
      labels: { 'strimzi.io/cluster': cluster },
      annotations: {
        'simstream.dev/description': topic.description,
        ...(topic.compactedBytesPerPartition === undefined
          ? {}
          : { [COMPACTED_BYTES_ANNOTATION]: String(topic.compactedBytesPerPartition) }),
      },
    },
    spec: {
      topicName: topic.name,
      partitions: topic.partitions,
      replicas: topic.replicationFactor,
      config: { ...topic.config },
    },
  };
}

function documents(docs: readonly unknown[]): string {
  return docs.map((doc) => '---\n' + stringify(doc, { lineWidth: 0, singleQuote: true })).join('');
}

/** k8s/base/kafka/topics.yaml: every topic with the cluster environment (replication 3, min ISR 2). */
export function renderClusterTopics(cluster: string = KAFKA_CLUSTER_NAME): string {
  const topics = topicDefinitions(CLUSTER_TOPIC_ENVIRONMENT);
  return (
    HEADER('cluster: replication 3, min.insync.replicas 2') +
    documents(topics.map((t) => topicResource(t, cluster)))
  );
}

/**
 * The dev overlay's patch: a one-broker cluster takes the dev environment's replication,
 * min.insync.replicas and (small volume) capped retention.bytes and segment.bytes; everything
 * else stays as in the base.
 */
export function renderTopicEnvironmentPatch(
  environment: TopicEnvironment = DEV_CLUSTER_TOPIC_ENVIRONMENT,
  cluster: string = KAFKA_CLUSTER_NAME,
): string {
  const topics = topicDefinitions(environment);
  const patches = topics.map((t) => ({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaTopic',
    metadata: { name: topicResourceName(t.name), labels: { 'strimzi.io/cluster': cluster } },
    spec: {
      replicas: t.replicationFactor,
      config: Object.fromEntries(
        ['retention.bytes', 'segment.bytes', 'min.insync.replicas']
          .filter((key) => t.config[key] !== undefined)
          .map((key) => [key, t.config[key]]),
      ),
    },
  }));
  return (
    HEADER(
      `replication ${environment.replicationFactor}, min.insync.replicas ${environment.minInsyncReplicas}` +
        (environment.maxRetentionBytes === undefined
          ? ''
          : `, retention.bytes at most ${environment.maxRetentionBytes}, segment.bytes at most ${environment.maxSegmentBytes ?? '-'}`),
    ) + documents(patches)
  );
}

/** Repository-relative paths of the generated files and their content. */
export function generatedTopicFiles(): { path: string; content: string }[] {
  return [
    { path: 'k8s/base/kafka/topics.yaml', content: renderClusterTopics() },
    { path: 'k8s/overlays/dev/kafka-topics-patch.yaml', content: renderTopicEnvironmentPatch() },
  ];
}
