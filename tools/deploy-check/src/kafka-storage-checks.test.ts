import { describe, expect, it } from 'vitest';
import { CLUSTER_TOPIC_ENVIRONMENT, topicDefinitions } from '@simstream/kafka';
import { checkKafkaStorage, kafkaDiskUse, quantityBytes } from './kafka-storage-checks.js';
import { COMPACTED_BYTES_ANNOTATION, topicResourceName } from './kafka-topics.js';
import type { K8sObject } from './manifests.js';

const GiB = 1024 ** 3;

function topic(
  name: string,
  partitions: number,
  config: Record<string, string>,
  annotations = {},
): K8sObject {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaTopic',
    metadata: { name: topicResourceName(name), annotations },
    spec: { topicName: name, partitions, replicas: 3, config },
  };
}

function brokers(size: string, replicas = 3): K8sObject {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaNodePool',
    metadata: { name: 'brokers' },
    spec: {
      replicas,
      roles: ['broker'],
      storage: { type: 'jbod', volumes: [{ id: 0, type: 'persistent-claim', size }] },
    },
  };
}

/** The production table as the generator writes it. */
const tableTopics = (): K8sObject[] =>
  topicDefinitions(CLUSTER_TOPIC_ENVIRONMENT).map((t) =>
    topic(
      t.name,
      t.partitions,
      { ...t.config },
      t.compactedBytesPerPartition === undefined
        ? {}
        : { [COMPACTED_BYTES_ANNOTATION]: String(t.compactedBytesPerPartition) },
    ),
  );

describe('checkKafkaStorage', () => {
  it('reads Kubernetes quantities', () => {
    expect(quantityBytes('500Gi')).toBe(500 * GiB);
    expect(quantityBytes('1.5Ti')).toBe(1.5 * 1024 * GiB);
    expect(quantityBytes('100G')).toBe(100e9);
    expect(quantityBytes('lots')).toBeUndefined();
  });

  it('accepts the topic table on three 500 Gi brokers, at 55 % of a broker volume', () => {
    const objects = [...tableTopics(), brokers('500Gi')];
    expect(checkKafkaStorage(objects, 'p')).toEqual([]);
    const use = kafkaDiskUse(objects);
    expect(use.perBroker / use.volume).toBeGreaterThan(0.5);
    expect(use.perBroker / use.volume).toBeLessThan(0.7);
  });

  it('refuses the old frames cap (64 GiB per partition: 771 GiB per broker on 500 Gi)', () => {
    const objects = [
      topic('simstream.frames.v1', 12, {
        'cleanup.policy': 'delete',
        'retention.ms': '259200000',
        'retention.bytes': String(64 * GiB),
        'segment.bytes': String(512 * 1024 ** 2),
      }),
      brokers('500Gi'),
    ];
    expect(checkKafkaStorage(objects, 'k8s production')).toEqual([
      'k8s production: Kafka topics can hold 774.0 GiB per broker, 155 % of the 500.0 GiB broker volume (at most 70 %): ' +
        'simstream.frames.v1: 12 partitions × RF 3 ÷ 3 brokers × (64.0 GiB retention.bytes + 0.5 GiB segment) = 774.0 GiB',
    ]);
  });

  it('counts every JBOD volume of a broker', () => {
    const pool = brokers('200Gi');
    (pool.spec as { storage: { volumes: unknown[] } }).storage.volumes.push({
      id: 1,
      type: 'persistent-claim',
      size: '200Gi',
    });
    const objects = [
      topic('t', 12, { 'retention.bytes': String(20 * GiB), 'segment.bytes': String(GiB) }),
      pool,
    ];
    // 12 × 21 GiB = 252 GiB: refused on one 200 Gi volume, accepted on two.
    expect(checkKafkaStorage(objects, 'p')).toEqual([]);
    expect(checkKafkaStorage([objects[0]!, brokers('200Gi')], 'p')).toHaveLength(1);
  });

  it('refuses time-only retention, an unbounded compacted topic and an ephemeral volume without sizeLimit', () => {
    const objects = [
      topic('simstream.dlq.v1', 3, { 'cleanup.policy': 'delete', 'retention.ms': '2592000000' }),
      topic('simstream.progress.v1', 12, { 'cleanup.policy': 'compact' }),
      brokers('500Gi'),
    ];
    expect(checkKafkaStorage(objects, 'p')).toEqual([
      'p: KafkaTopic simstream.dlq.v1: retention by time only (no retention.bytes), so its size is unbounded: set retention.bytes in libs/kafka/src/topics.ts',
      `p: KafkaTopic simstream.progress.v1: compacted without a size bound (annotation ${COMPACTED_BYTES_ANNOTATION}, from compactedBytesPerPartition in the topic table)`,
    ]);
    const ephemeral: K8sObject = {
      ...brokers('1Gi'),
      spec: {
        replicas: 1,
        roles: ['broker'],
        storage: { type: 'jbod', volumes: [{ id: 0, type: 'ephemeral' }] },
      },
    };
    expect(checkKafkaStorage([ephemeral], 'dev')).toEqual([
      'dev: KafkaNodePool brokers: a volume (type ephemeral) without a size (ephemeral needs sizeLimit), so its disk is not bounded',
    ]);
  });
});
