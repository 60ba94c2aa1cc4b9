/**
 * The first run on a fresh machine: topics created by `ensureTopics` are used at once, the way
 * every service starts (the progress table lists the offsets of its topic; producers write to
 * every partition). Right after a creation, a partition's leader is in the metadata a moment
 * before it serves requests, and kafkajs gives up on NOT_LEADER_FOR_PARTITION from ListOffsets
 * without retrying: the demo died of it on its first run.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaRegistry } from '@simstream/contracts';
import {
  BatchingProducer,
  CompactedTable,
  PartitionCounts,
  ensureTopics,
  topicOffsets,
  type TopicDefinition,
} from '@simstream/kafka';
import { quietLogger, testKafka } from '../src/index.js';

const kafka = testKafka();
const logger = quietLogger();
const run = randomUUID().slice(0, 8);
// As many topics and partitions as the real table (a single topic is often ready in time).
const definitions: (TopicDefinition & { replicationFactor: number })[] = Array.from(
  { length: 8 },
  (_, i) => ({
    name: `simstream.test.fresh-${run}-${i}`,
    partitions: 12,
    description: 'created by the fresh-topics test',
    config: { 'cleanup.policy': i % 2 === 0 ? 'compact' : 'delete' },
    replicationFactor: 1,
  }),
);
const names = definitions.map((d) => d.name);

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics(names).catch(() => undefined);
  await admin.disconnect();
});

describe('fresh topics', () => {
  it('serve ListOffsets and produce requests as soon as ensureTopics returns', async () => {
    const report = await ensureTopics(kafka, definitions, logger);
    expect(report.created.sort()).toEqual([...names].sort());

    const tables = names.map(
      (topic) =>
        new CompactedTable<unknown>({
          kafka,
          logger,
          registry: schemaRegistry(),
          topic,
          recordName: 'unused',
          groupId: `simstream-test-fresh-${randomUUID()}`,
        }),
    );
    const producer = new BatchingProducer({
      transport: kafka.producers('kafkajs'),
      logger,
      partitions: new PartitionCounts(kafka),
      name: 'test_fresh',
    });
    try {
      const [offsets] = await Promise.all([
        // No retries here: ensureTopics alone must have made every partition serve requests.
        Promise.all(names.map((topic) => topicOffsets(kafka, topic, { retries: 0 }))),
        Promise.all(tables.map((t) => t.start())),
        producer.send(
          names.map((topic) => ({ topic, key: `k-${topic}`, value: Buffer.from('first record') })),
        ),
      ]);
      expect(offsets.map((o) => o.length)).toEqual(names.map(() => 12));
      expect(await Promise.all(tables.map((t) => t.waitUntilCaughtUp(30_000)))).toEqual(
        names.map(() => true),
      );
    } finally {
      await producer.close();
      await Promise.all(tables.map((t) => t.stop()));
    }
  });
});
