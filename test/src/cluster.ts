/**
 * Looking at the local 3-node Kafka cluster from a test: who leads which partition, who is the
 * active KRaft controller, whether every replica is back in sync, and simulation ids chosen so
 * that their frames land on partitions led by a given node.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { kafkaToolCommand } from '@simstream/infra';
import { partitionForKey, type KafkaClient } from '@simstream/kafka';

const run = promisify(execFile);

export interface PartitionState {
  readonly partition: number;
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** Leader, replicas and in-sync replicas of every partition of `topic`, by partition. */
export async function partitionStates(kafka: KafkaClient, topic: string): Promise<PartitionState[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [meta] = await admin.topicMetadata([topic]);
    return (meta?.partitions ?? []).map((p) => ({
      partition: p.partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
    }));
  } finally {
    await admin.disconnect();
  }
}

/** A topic config value as the brokers report it. */
export async function topicConfig(
  kafka: KafkaClient,
  topic: string,
  name: string,
): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const configs = await admin.topicConfigs([{ name: topic, configNames: [name] }]);
    return configs.get(topic)?.get(name);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The node id of the active KRaft controller. Metadata responses name a random broker as
 * "controller" under KRaft, so this asks the quorum itself (kafka-metadata-quorum's tool class).
 */
export async function activeController(bootstrap: readonly string[]): Promise<number> {
  const { command, args } = await kafkaToolCommand(
    'org.apache.kafka.tools.MetadataQuorumCommand',
    ['--bootstrap-server', bootstrap.join(','), 'describe', '--status'],
    ['-Xmx128m'],
  );
  const { stdout } = await run(command, args, { timeout: 60_000 });
  const match = /^LeaderId:\s+(\d+)/m.exec(stdout);
  if (match === null) throw new Error(`no LeaderId in the quorum description:\n${stdout}`);
  return Number(match[1]);
}

/** Waits until every partition of every topic has all its replicas in sync. */
export async function waitForFullIsr(
  kafka: KafkaClient,
  topics: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = (await Promise.all(topics.map((t) => partitionStates(kafka, t)))).flat();
    const lagging = states.filter((p) => p.isr.length < p.replicas.length);
    if (lagging.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${lagging.length} partitions still have replicas out of sync after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * `count` simulation ids `<prefix>-N` whose partitions (Java-compatible murmur2 of the id, as
 * our producer computes it) are led by `leader`, on distinct partitions as far as possible.
 * With no partition led by `leader`, any partitions.
 */
export function simulationsLedBy(
  prefix: string,
  states: readonly PartitionState[],
  leader: number,
  count: number,
): string[] {
  const led = new Set(states.filter((p) => p.leader === leader).map((p) => p.partition));
  const chosen: string[] = [];
  const used = new Set<number>();
  for (let n = 0; chosen.length < count && n < 100_000; n++) {
    const id = `${prefix}-${n}`;
    const partition = partitionForKey(id, states.length);
    if (led.size > 0 && !led.has(partition)) continue;
    // Distinct partitions first; repeats once every led partition has one.
    if (used.has(partition) && used.size < Math.min(led.size || states.length, count)) continue;
    used.add(partition);
    chosen.push(id);
  }
  return chosen;
}
