import { describe, expect, it } from 'vitest';
import { CLUSTER_TOPIC_ENVIRONMENT, topicDefinitions } from '@simstream/kafka';
import { checkKafkaTopology } from './k8s-checks.js';
import { topicResourceName } from './kafka-topics.js';
import type { K8sObject } from './manifests.js';

function cluster(brokers: number, controllers: number, minIsr = 2): K8sObject[] {
  const topics = topicDefinitions(CLUSTER_TOPIC_ENVIRONMENT).map((t) => ({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaTopic',
    metadata: { name: topicResourceName(t.name) },
    spec: {
      topicName: t.name,
      partitions: t.partitions,
      replicas: t.replicationFactor,
      config: { ...t.config },
    },
  }));
  return [
    ...topics,
    {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: 'b' },
      spec: { replicas: brokers, roles: ['broker'] },
    },
    {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaNodePool',
      metadata: { name: 'c' },
      spec: { replicas: controllers, roles: ['controller'] },
    },
    {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'Kafka',
      metadata: { name: 'simstream' },
      spec: {
        kafka: { config: { 'min.insync.replicas': minIsr, 'transaction.state.log.replication.factor': 3 } },
      },
    },
  ];
}

describe('checkKafkaTopology', () => {
  it('accepts topics equal to the table on a cluster that can hold them', () => {
    expect(checkKafkaTopology(cluster(3, 3), CLUSTER_TOPIC_ENVIRONMENT, 'p')).toEqual([]);
  });

  it('finds a drifted topic, too few brokers, an even quorum and a broker min ISR mismatch', () => {
    const objects = cluster(2, 2, 1);
    (objects[0]!.spec as { partitions: number }).partitions = 6;
    const problems = checkKafkaTopology(objects, CLUSTER_TOPIC_ENVIRONMENT, 'p');
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^p: KafkaTopic simstream\.frames\.v1 is .*"partitions":6/);
    expect(problems.slice(1)).toEqual([
      'p: 2 brokers cannot hold replication 3',
      'p: 2 controllers (a quorum needs an odd count)',
      'p: broker min.insync.replicas 1, topics use 2',
      "p: the transaction log's replication exceeds the brokers",
    ]);
  });

  it('misses no topic', () => {
    const objects = cluster(3, 3).filter((o) => o.metadata.name !== 'simstream-dlq-v1');
    expect(checkKafkaTopology(objects, CLUSTER_TOPIC_ENVIRONMENT, 'p')).toEqual([
      'p: no KafkaTopic for simstream.dlq.v1',
      'p: 5 KafkaTopics, the table has 6',
    ]);
  });
});
