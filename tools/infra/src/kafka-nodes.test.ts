import { describe, expect, it } from 'vitest';
import { loadInfraConfig } from './config.js';
import { clusterKafkaNodes, configuredKafkaNodes, singleKafkaNode } from './kafka-nodes.js';

const defaults = { repoRoot: '/repo', isRoot: false };

describe('Kafka nodes', () => {
  it('is the single broker unless three are asked for', () => {
    const config = loadInfraConfig({ SIMSTREAM_DATA_DIR: '/d' }, defaults);
    expect(configuredKafkaNodes(config)).toEqual([singleKafkaNode(config)]);
    expect(singleKafkaNode(config)).toMatchObject({
      name: 'kafka',
      nodeId: 1,
      port: 9092,
      dir: '/d/kafka',
      voters: [{ nodeId: 1, controllerPort: 9093 }],
      replicationFactor: 1,
      minInsyncReplicas: 1,
      clusterIdFile: '/d/kafka/cluster-id',
    });
  });

  it('gives the cluster three nodes sharing one quorum and one cluster id, each with its own dir', () => {
    const config = loadInfraConfig({ SIMSTREAM_DATA_DIR: '/d', SIMSTREAM_KAFKA_BROKERS: '3' }, defaults);
    const nodes = configuredKafkaNodes(config);
    expect(nodes).toEqual(clusterKafkaNodes(config));
    expect(nodes.map((n) => [n.name, n.port, n.controllerPort, n.dir])).toEqual([
      ['kafka-1', 19092, 19192, '/d/kafka-cluster/node-1'],
      ['kafka-2', 19093, 19193, '/d/kafka-cluster/node-2'],
      ['kafka-3', 19094, 19194, '/d/kafka-cluster/node-3'],
    ]);
    for (const n of nodes) {
      expect(n.voters.map((v) => v.controllerPort)).toEqual([19192, 19193, 19194]);
      expect([n.replicationFactor, n.minInsyncReplicas]).toEqual([3, 2]);
      expect(n.clusterIdFile).toBe('/d/kafka-cluster/cluster-id');
      expect(n.heapOpts).toEqual(['-Xmx384m', '-Xms384m']);
    }
  });
});
