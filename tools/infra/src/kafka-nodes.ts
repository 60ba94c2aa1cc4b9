/**
 * Which Kafka processes a configuration asks for: the single local broker (node 1 on 9092), or
 * the three nodes of the local cluster, each broker and controller, with a controller quorum of
 * three, replication 3 and min.insync.replicas 2 for internal topics. Pure: config in, specs out.
 */
import { join } from 'node:path';
import { kafkaNodeDir, kafkaNodeName, serviceDir, type InfraConfig, type UnitName } from './config.js';
import type { KafkaVoter } from './kafka-config.js';

export interface KafkaNodeSpec {
  /** `kafka` for the single broker, `kafka-N` for cluster node N. */
  readonly name: UnitName;
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
  /** Config, data (`kraft/`), logs and pid file of this node. */
  readonly dir: string;
  /** The controller quorum, this node included. */
  readonly voters: readonly KafkaVoter[];
  readonly heapOpts: readonly string[];
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  /** Where the cluster id is kept: every node of a cluster formats its storage with the same one. */
  readonly clusterIdFile: string;
}

/** The single broker (whatever SIMSTREAM_KAFKA_BROKERS says). */
export function singleKafkaNode(config: InfraConfig): KafkaNodeSpec {
  const dir = serviceDir(config, 'kafka');
  return {
    name: 'kafka',
    nodeId: 1,
    port: config.kafka.port,
    controllerPort: config.kafka.controllerPort,
    dir,
    voters: [{ nodeId: 1, controllerPort: config.kafka.controllerPort }],
    heapOpts: config.kafka.heapOpts,
    replicationFactor: 1,
    minInsyncReplicas: 1,
    clusterIdFile: join(dir, 'cluster-id'),
  };
}

/** The nodes of the cluster (whatever SIMSTREAM_KAFKA_BROKERS says). */
export function clusterKafkaNodes(config: InfraConfig): KafkaNodeSpec[] {
  const { nodes, dir, heapOpts } = config.kafkaCluster;
  const voters = nodes.map((n) => ({ nodeId: n.nodeId, controllerPort: n.controllerPort }));
  return nodes.map((n) => ({
    name: kafkaNodeName(n.nodeId),
    nodeId: n.nodeId,
    port: n.port,
    controllerPort: n.controllerPort,
    dir: kafkaNodeDir(config, n.nodeId),
    voters,
    heapOpts,
    // One node may be lost with every acked record kept: three copies, two acknowledging.
    replicationFactor: nodes.length,
    minInsyncReplicas: Math.min(2, nodes.length),
    clusterIdFile: join(dir, 'cluster-id'),
  }));
}

/** The Kafka processes `kafka` stands for in this configuration. */
export function configuredKafkaNodes(config: InfraConfig): KafkaNodeSpec[] {
  return config.kafka.brokers === 1 ? [singleKafkaNode(config)] : clusterKafkaNodes(config);
}
