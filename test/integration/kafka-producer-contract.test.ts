/**
 * The producer transport contract (libs/kafka producer-transport.ts), run on every transport
 * against the real broker: what the batching producer relies on from a client library.
 * Idempotent produce (exactly the records, in order per key, at the offsets reported),
 * transactions (read_committed sees them after commit, never after abort), a chunked frame and
 * its progress record all-or-nothing, fencing of an older epoch, a record over
 * max.message.bytes rejected without stalling other keys, and a 5 s broker outage ridden out
 * (the broker is stopped and started: the suite runs alone, like ingestion-failures).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordName, schemaRegistry, type Frame } from '@simstream/contracts';
import { UnavailableError } from '@simstream/errors';
import { start, stop } from '@simstream/infra';
import {
  BatchingProducer,
  Header,
  KafkaRejectedError,
  PartitionCounts,
  ProducerFencedError,
  ensureTopics,
  frameRecords,
  type BatchingProducerOptions,
  type Delivery,
  type OutRecord,
  type TopicDefinition,
} from '@simstream/kafka';
import { kafkaFrame, quietLogger, readRawUntil, testKafka, type RawRecord } from '../src/index.js';

const kafka = testKafka();
const logger = quietLogger();
const run = randomUUID().slice(0, 8);
const KiB = 1024;

interface Consumed {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * Reads `topic` from the beginning as a read_committed consumer until `until` holds, then
 * `settleMs` longer (so that records written after, such as duplicates, are seen too).
 */
async function readCommitted(
  topic: string,
  until: (records: readonly Consumed[]) => boolean,
  settleMs = 1000,
): Promise<Consumed[]> {
  const consumed = (records: readonly RawRecord[]): Consumed[] =>
    records.map((r) => ({ ...r, key: r.key ?? '', value: r.value ?? Buffer.alloc(0) }));
  return consumed(
    await readRawUntil({ kafka, topic, until: (records) => until(consumed(records)), settleMs }),
  );
}

const ids = (records: readonly Consumed[]) => records.map((r) => r.value.toString());

describe.each(['kafkajs', 'platformatic'] as const)('producer transport contract: %s', (kind) => {
  const topic = (name: string) => `simstream.test.contract-${run}-${kind}-${name}`;
  const definition = (name: string, partitions: number, config: Record<string, string> = {}) => ({
    name: topic(name),
    partitions,
    description: 'created by the producer contract test',
    config,
    replicationFactor: 1,
  });
  const definitions: (TopicDefinition & { replicationFactor: number })[] = [
    definition('records', 3),
    definition('txn', 1),
    definition('frames', 2, { 'max.message.bytes': String(256 * KiB) }),
    definition('progress', 1),
    definition('fence', 1),
    definition('small', 1, { 'max.message.bytes': String(64 * KiB) }),
    definition('outage', 2),
  ];
  const transport = kafka.producers(kind);
  const partitions = new PartitionCounts(kafka);
  const producers: BatchingProducer[] = [];
  const producer = (extra: Partial<BatchingProducerOptions> = {}) => {
    const p = new BatchingProducer({ transport, logger, partitions, name: `contract_${kind}`, ...extra });
    producers.push(p);
    return p;
  };

  beforeAll(async () => {
    await ensureTopics(kafka, definitions, logger);
  });

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics(definitions.map((d) => d.name)).catch(() => undefined);
    await admin.disconnect();
  });

  it('writes idempotently: exactly the records, in order per key, at the offsets it reported', async () => {
    const p = producer({ maxPartitionBytes: () => 48 * KiB }); // several requests per batch
    const keys = ['alpha', 'beta', 'gamma', 'delta'];
    const sent: { id: string; key: string; promise: Promise<Delivery[]>; index: number }[] = [];
    for (let i = 0; i < 120; i++) {
      const key = keys[i % keys.length]!;
      const group = [0, 1].slice(0, 1 + (i % 2)).map((j) => `${key}-${i}-${j}`);
      const promise = p.send(
        // Some records of 20 KiB: a batch takes several requests.
        group.map((id) => ({
          topic: topic('records'),
          key,
          value: Buffer.from(id.padEnd(i % 7 === 0 ? 20 * KiB : 0)),
        })),
        { orderingKey: key },
      );
      group.forEach((id, index) => sent.push({ id, key, promise, index }));
    }
    const deliveries = await Promise.all(sent.map(async (s) => (await s.promise)[s.index]!));
    const read = await readCommitted(topic('records'), (r) => r.length >= sent.length);
    const idOf = (r: Consumed) => r.value.toString().trimEnd();
    expect(read.map(idOf).sort()).toEqual(sent.map((s) => s.id).sort()); // no loss, no duplicate
    const at = new Map(read.map((r) => [idOf(r), r]));
    sent.forEach((s, i) => {
      const r = at.get(s.id)!;
      expect({ partition: r.partition, offset: r.offset }).toEqual({
        partition: deliveries[i]!.partition,
        offset: deliveries[i]!.offset,
      });
    });
    for (const key of keys) {
      const mine = sent.filter((s) => s.key === key).map((s) => at.get(s.id)!.offset);
      expect(mine).toEqual([...mine].sort((a, b) => a - b)); // order of the sends
    }
  });

  it('rides out a broker outage: every group sent before, during and after it is written once, in order', async () => {
    // As ingestion writes: a transaction per batch, ordering keys, an outage deadline.
    const p = producer({
      transactionalId: `simstream.test.contract-${run}-${kind}-outage`,
      transactionTimeoutMs: 30_000,
      outageTimeoutMs: 90_000,
    });
    const keys = ['north', 'south'];
    const sent: { id: string; key: string; promise: Promise<Delivery[]> }[] = [];
    let sending = true;
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        const key = keys[i % keys.length]!;
        const id = `${key}-${i}`;
        sent.push({
          id,
          key,
          promise: p.send([{ topic: topic('outage'), key, value: Buffer.from(id) }], { orderingKey: key }),
        });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await stop('kafka');
      await new Promise((r) => setTimeout(r, 5000));
      await start('kafka');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      sending = false;
      await sender;
    }
    await Promise.all(sent.map((s) => s.promise)); // every group acknowledged: none failed
    const read = await readCommitted(topic('outage'), (r) => r.length >= sent.length);
    expect(ids(read).sort()).toEqual(sent.map((s) => s.id).sort()); // no loss, no duplicate
    for (const key of keys) {
      const mine = ids(read).filter((id) => id.startsWith(`${key}-`));
      expect(mine).toEqual(sent.filter((s) => s.key === key).map((s) => s.id)); // the order of the sends
    }
  }, 180_000);

  it('makes a transaction visible to read_committed consumers after its commit, never after an abort', async () => {
    const t = transport({
      transactionalId: `simstream.test.contract-${run}-${kind}-txn`,
      transactionTimeoutMs: 30_000,
      compression: 'none',
    });
    await t.connect();
    await t.init();
    const records = (tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        topic: topic('txn'),
        key: 'k',
        value: Buffer.from(`${tag}-${i}`),
        partition: 0,
      }));
    try {
      const committed = await t.begin();
      const offsets = await committed.send(records('committed', 5));
      expect(offsets).toEqual([{ topic: topic('txn'), partition: 0, baseOffset: 0 }]);
      // Open: the last stable offset stays before it, read_committed consumers wait.
      expect(await lastStableOffset(topic('txn'))).toBe(0);
      await committed.commit();
      expect(committed.active).toBe(false);

      const aborted = await t.begin();
      await aborted.send(records('aborted', 5));
      await aborted.abort();
      expect(aborted.active).toBe(false);

      const last = await t.begin();
      await last.send(records('after', 1));
      await last.commit();
    } finally {
      await t.disconnect();
    }
    const read = await readCommitted(topic('txn'), (r) => ids(r).includes('after-0'));
    expect(ids(read)).toEqual([
      'committed-0',
      'committed-1',
      'committed-2',
      'committed-3',
      'committed-4',
      'after-0',
    ]);
  });

  it("writes a chunked frame's chunks and its progress record all or nothing", async () => {
    const registry = schemaRegistry();
    const p = producer({
      transactionalId: `simstream.test.contract-${run}-${kind}-frames`,
      maxPartitionBytes: () => 200 * KiB,
    });
    const frame = (step: number): Frame => kafkaFrame(`contract-${run}`, step, 600 * KiB);
    const group = (f: Frame): OutRecord[] => [
      ...frameRecords(registry, f, {
        topic: topic('frames'),
        maxRecordBytes: 180 * KiB,
        chunkBytes: 64 * KiB,
      }),
      {
        topic: topic('progress'),
        key: f.simulationId,
        value: Buffer.from(`step-${f.step}`),
        coalesce: `progress/${f.simulationId}`,
      },
    ];
    const first = group(frame(1));
    expect(first.length).toBeGreaterThan(9); // ten chunks and the progress record
    await p.send(first);
    // The second frame's transaction fails at its last record (over the topic's limit): none of it may show.
    const doomed = group(frame(2));
    doomed.splice(doomed.length - 1, 0, {
      topic: topic('frames'),
      key: `contract-${run}`,
      value: Buffer.alloc(300 * KiB),
    });
    await expect(p.send(doomed)).rejects.toBeInstanceOf(KafkaRejectedError);
    await p.send(group(frame(3)));

    const chunks = await readCommitted(
      topic('frames'),
      (r) => r.filter((c) => c.headers[Header.step] === '3').length === first.length - 1,
    );
    const byStep = (step: string) => chunks.filter((c) => c.headers[Header.step] === step);
    expect(byStep('1').map((c) => c.headers[Header.chunk])).toEqual(
      first.slice(0, -1).map((r) => r.headers![Header.chunk]),
    );
    expect(byStep('2')).toEqual([]);
    expect(byStep('3')).toHaveLength(first.length - 1);
    expect(chunks.every((c) => c.headers[Header.record] === RecordName.FrameChunk)).toBe(true);
    const progress = await readCommitted(topic('progress'), (r) => ids(r).includes('step-3'));
    expect(ids(progress)).toEqual(['step-1', 'step-3']);
  });

  it('fences an older epoch: a second producer of the transactional id takes over, the first fails for good', async () => {
    const transactionalId = `simstream.test.contract-${run}-${kind}-fence`;
    const record = (value: string): OutRecord[] => [
      { topic: topic('fence'), key: 'k', value: Buffer.from(value) },
    ];
    const first = producer({ transactionalId, fixedEpoch: true });
    await first.connect();
    await first.send(record('first-1'));
    const second = producer({ transactionalId, fixedEpoch: true });
    await second.connect();
    await expect(first.send(record('first-2'))).rejects.toBeInstanceOf(ProducerFencedError);
    await expect(first.send(record('first-3'))).rejects.toBeInstanceOf(ProducerFencedError);
    await second.send(record('second-1'));
    const read = await readCommitted(topic('fence'), (r) => ids(r).includes('second-1'));
    expect(ids(read)).toEqual(['first-1', 'second-1']);
  });

  it.each([false, true])(
    'rejects a record over max.message.bytes with KafkaRejectedError, other keys go on (transactional: %s)',
    async (transactional) => {
      const p = producer({
        outageTimeoutMs: 20_000,
        ...(transactional
          ? { transactionalId: `simstream.test.contract-${run}-${kind}-small-${randomUUID()}` }
          : {}),
      });
      await p.connect();
      // One partition: the rejected record's partition is the one the next writes go to.
      const record = (key: string, value: Buffer): OutRecord[] => [
        { topic: topic('small'), key, value, partition: 0 },
      ];
      const tag = `txn-${transactional}`;
      const tooLarge = p.send(record('a', Buffer.alloc(200 * KiB)), { orderingKey: 'a' });
      const other = p.send(record('b', Buffer.from(`${tag}-b-1`)), { orderingKey: 'b' });
      const sameKey = p.send(record('a', Buffer.from(`${tag}-a-2`)), { orderingKey: 'a' });
      const started = Date.now();
      await expect(tooLarge).rejects.toBeInstanceOf(KafkaRejectedError);
      await expect(sameKey).rejects.toBeInstanceOf(UnavailableError); // never written after a failed write of its key
      const [delivery] = await other;
      expect(Date.now() - started).toBeLessThan(10_000);
      const later = await p.send(record('c', Buffer.from(`${tag}-c-1`)), { orderingKey: 'c' });
      const read = await readCommitted(topic('small'), (r) => ids(r).includes(`${tag}-c-1`));
      const mine = read.filter((r) => r.value.toString().startsWith(tag));
      expect(ids(mine)).toEqual([`${tag}-b-1`, `${tag}-c-1`]);
      expect(mine.map((r) => r.offset)).toEqual([delivery!.offset, later[0]!.offset]);
    },
  );
});

/** The last stable offset of partition 0 (ListOffsets, read_committed), where read_committed consumers stop. */
async function lastStableOffset(name: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [p0] = await admin.topicOffsets(name);
    return p0!.high;
  } finally {
    await admin.disconnect();
  }
}
