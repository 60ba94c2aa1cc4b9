/** What arrived in Kafka for the demo's simulations, read back with the project's consumer. */
import { randomUUID } from 'node:crypto';
import { schemaRegistry, type Frame, fieldArray } from '@simstream/contracts';
import { RecordConsumer, TopicName, setGroupOffsets, topicOffsets, type KafkaClient } from '@simstream/kafka';
import type { Logger } from '@simstream/observability';

export interface Arrived {
  readonly frames: number;
  readonly bytes: number;
  readonly perPartition: Map<number, number>;
  readonly perSimulation: Map<
    string,
    {
      frames: number;
      bytes: number;
      firstStep: number;
      lastStep: number;
      first: number;
      last: number;
      lastFrame: Frame;
    }
  >;
}

export async function endOffsets(kafka: KafkaClient): Promise<Map<number, number>> {
  return new Map((await topicOffsets(kafka, TopicName.frames)).map((p) => [p.partition, p.high]));
}

export async function readArrived(
  kafka: KafkaClient,
  logger: Logger,
  from: Map<number, number>,
  expected: Map<string, number>,
  timeoutMs = 60_000,
): Promise<Arrived> {
  const groupId = `simstream-demo-${randomUUID()}`;
  await setGroupOffsets(kafka, groupId, TopicName.frames, from);
  const result: Arrived = { frames: 0, bytes: 0, perPartition: new Map(), perSimulation: new Map() };
  let bytes = 0;
  let frames = 0;
  const consumer = new RecordConsumer({
    kafka,
    logger,
    registry: schemaRegistry(),
    groupId,
    topics: [TopicName.frames],
    name: 'demo',
  });
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.start((records) => {
    for (const r of records) {
      if (r.key === null || !expected.has(r.key)) continue;
      const frame = r.value as Frame;
      frames++;
      bytes += r.bytes;
      result.perPartition.set(r.partition, (result.perPartition.get(r.partition) ?? 0) + 1);
      const s = result.perSimulation.get(r.key);
      if (s === undefined) {
        result.perSimulation.set(r.key, {
          frames: 1,
          bytes: r.bytes,
          firstStep: frame.step,
          lastStep: frame.step,
          first: r.timestamp,
          last: r.timestamp,
          lastFrame: frame,
        });
      } else {
        Object.assign(s, {
          frames: s.frames + 1,
          bytes: s.bytes + r.bytes,
          lastStep: frame.step,
          last: r.timestamp,
          lastFrame: frame,
        });
      }
    }
    if ([...expected].every(([id, n]) => (result.perSimulation.get(id)?.frames ?? 0) >= n)) done();
    return Promise.resolve();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  // A pending timer would keep the demo alive for the rest of the minute after its last line.
  clearTimeout(timer);
  await consumer.stop();
  return { ...result, frames, bytes };
}

export { fieldArray };
