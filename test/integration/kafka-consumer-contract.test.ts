/**
 * The consumer transport contract (libs/kafka consumer-transport.ts), run on every transport
 * against the real broker, through RecordConsumer where the service path goes through it:
 * read_committed (also when two producers' transactions in one partition are aborted in another
 * order than they began, and when a fetch holds an aborted transaction's records but not its
 * marker), chunked frames all-or-nothing, an undecodable record dead-lettered
 * with its reason and committed past only once the dead letter is durable, pause/resume, a
 * retriable handler failure re-read with nothing lost or doubled, a rebalance (a second member
 * joins, then leaves), a rebalance while a batch ending inside a chunked frame is in hand (no
 * frame lost: fails on a transport that lets the join reset reassembly mid-batch), and a restart resuming from the committed offset. Every test has its own
 * topics and groups (the broker is shared).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordName, schemaRegistry, type Frame, type Progress } from '@simstream/contracts';
import { UnavailableError } from '@simstream/errors';
import {
  BatchingProducer,
  Header,
  PartitionCounts,
  RecordConsumer,
  ensureTopics,
  frameRecords,
  withAdmin,
  type Assignment,
  type BatchHandler,
  type ConsumedRecord,
  type OutRecord,
  type RecordConsumerOptions,
  type TopicDefinition,
} from '@simstream/kafka';
import { kafkaFrame, patternBytes, quietLogger, readRawUntil, testKafka, waitFor } from '../src/index.js';

const logger = quietLogger();
const run = randomUUID().slice(0, 8);
const KiB = 1024;
const registry = schemaRegistry();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small Avro record with a recognisable id. */
const progress = (topic: string, key: string, step: number): OutRecord => ({
  topic,
  key,
  value: registry.encode(RecordName.Progress, {
    simulationId: key,
    lastDurableStep: step,
    frameId: `f-${step}`,
    serverId: 'contract',
    updatedAt: 0,
  } satisfies Progress),
});
const stepOf = (r: ConsumedRecord) => `${r.key}/${(r.value as Progress).lastDurableStep}`;

/** Until `condition` holds (the shared poll, for a yes/no condition). */
const waitUntil = (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) =>
  waitFor(what, async () => ((await condition()) ? true : undefined), timeoutMs);

describe.each(['kafkajs', 'platformatic'] as const)('consumer transport contract: %s', (kind) => {
  const kafka = testKafka(logger, { consumer: kind, producer: 'platformatic' });
  const topic = (name: string) => `simstream.test.consumer-${run}-${kind}-${name}`;
  const group = (name: string) => `simstream-test-consumer-${run}-${kind}-${name}`;
  const definition = (name: string, partitions: number, config: Record<string, string> = {}) => ({
    name: topic(name),
    partitions,
    description: 'created by the consumer contract test',
    config,
    replicationFactor: 1,
  });
  const definitions: (TopicDefinition & { replicationFactor: number })[] = [
    definition('aborts', 1),
    definition('frames', 2, { 'max.message.bytes': String(256 * KiB) }),
    definition('dlq-in', 1),
    definition('dlq', 1),
    definition('pause', 2),
    definition('retry', 2),
    definition('rebalance', 4),
    definition('restart', 2),
    definition('midbatch', 2, { 'max.message.bytes': String(256 * KiB) }),
  ];
  const partitions = new PartitionCounts(kafka);
  const producers: BatchingProducer[] = [];
  const consumers: RecordConsumer[] = [];
  const producer = (transactionalId?: string, maxPartitionKiB = 200) => {
    const p = new BatchingProducer({
      transport: kafka.producers(),
      logger,
      partitions,
      name: `consumer_contract_${kind}`,
      // Record batches stay under the frames topic's max.message.bytes.
      maxPartitionBytes: () => maxPartitionKiB * KiB,
      ...(transactionalId === undefined ? {} : { transactionalId }),
    });
    producers.push(p);
    return p;
  };
  const consumer = (options: Partial<RecordConsumerOptions> & { groupId: string; topics: string[] }) => {
    const c = new RecordConsumer({ kafka, logger, registry, name: `contract_${kind}`, ...options });
    consumers.push(c);
    return c;
  };
  /** Handles into `into`; resolves each record once. */
  const collect =
    (into: ConsumedRecord[]): BatchHandler =>
    (records) => {
      into.push(...records);
      return Promise.resolve();
    };
  const committed = (groupId: string, name: string) =>
    withAdmin(kafka, (admin) => admin.groupOffsets(groupId, topic(name)));
  const ends = (name: string) => withAdmin(kafka, (admin) => admin.topicOffsets(topic(name)));

  beforeAll(async () => {
    await ensureTopics(kafka, definitions, logger);
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
    await withAdmin(kafka, (admin) => admin.deleteTopics(definitions.map((d) => d.name))).catch(
      () => undefined,
    );
  });

  it('reads committed records only: transactions aborted in another order than they began, markers in a later fetch', async () => {
    const producerOf = (id: string) => {
      const make = kafka.producers('platformatic');
      return make({
        transactionalId: `${topic('aborts')}-${id}`,
        transactionTimeoutMs: 30_000,
        compression: 'none',
      });
    };
    const a = producerOf('a');
    const b = producerOf('b');
    for (const p of [a, b]) {
      await p.connect();
      await p.init();
    }
    const record = (value: string) => ({
      topic: topic('aborts'),
      partition: 0,
      key: 'k',
      value: Buffer.from(value),
    });
    try {
      await a.send([record('plain-0')]); // outside a transaction
      const ta = await a.begin();
      await ta.send([record('aborted-a-0'), record('aborted-a-1')]);
      const tb = await b.begin();
      await tb.send([record('aborted-b-0')]);
      await ta.send([record('aborted-a-2')]);
      // B began after A and is aborted first: the broker lists the aborts as [B, A].
      await tb.abort();
      await ta.abort();
      const tc = await b.begin();
      await tc.send([record('committed-0'), record('committed-1')]);
      await tc.commit();
      await a.send([record('plain-1')]);
    } finally {
      await Promise.all([a.disconnect(), b.disconnect()]);
    }
    const values = (rs: readonly { value: Buffer | null }[]) => rs.map((r) => r.value?.toString());
    // Read uncommitted, the aborted records are there: the case is real.
    const raw = await readRawUntil({
      kafka,
      topic: topic('aborts'),
      readUncommitted: true,
      until: (rs) => values(rs).includes('plain-1'),
    });
    expect(values(raw)).toContain('aborted-a-0');
    const read = await readRawUntil({
      kafka,
      topic: topic('aborts'),
      until: (rs) => values(rs).includes('plain-1'),
    });
    expect(values(read)).toEqual(['plain-0', 'committed-0', 'committed-1', 'plain-1']);
    // One record batch per fetch: an aborted transaction's records come without its marker.
    const small = await readRawUntil({
      kafka,
      topic: topic('aborts'),
      maxBytesPerPartition: 1,
      until: (rs) => values(rs).includes('plain-1'),
    });
    expect(values(small)).toEqual(['plain-0', 'committed-0', 'committed-1', 'plain-1']);
  });

  it('hands out a chunked frame whole or not at all', async () => {
    const p = producer(`${topic('frames')}-writer`);
    const frame = (step: number): Frame => kafkaFrame(`consumer-${run}`, step, 300 * KiB);
    const chunks = (f: Frame) =>
      frameRecords(registry, f, { topic: topic('frames'), maxRecordBytes: 180 * KiB, chunkBytes: 64 * KiB });
    await p.send(chunks(frame(1)));
    // Step 2's transaction fails at its last record (over the topic's limit): none of it may show.
    const doomed = chunks(frame(2));
    doomed.push({ topic: topic('frames'), key: `consumer-${run}`, value: Buffer.alloc(300 * KiB) });
    await expect(p.send(doomed)).rejects.toThrow();
    const third = frame(3);
    await p.send(chunks(third));

    const got: ConsumedRecord[] = [];
    const c = consumer({ groupId: group('frames'), topics: [topic('frames')] });
    await c.start(collect(got));
    await waitUntil('frame 3', () => got.some((r) => (r.value as Frame).step === 3));
    await sleep(1000);
    expect(got.map((r) => [r.name, (r.value as Frame).step])).toEqual([
      [RecordName.Frame, 1],
      [RecordName.Frame, 3],
    ]);
    expect(Buffer.compare((got[1]!.value as Frame).fields[0]!.data, third.fields[0]!.data)).toBe(0);
    await c.stop();
  });

  it('dead-letters an undecodable record with its reason, and commits past it only once the dead letter is durable', async () => {
    const p = producer();
    const inTopic = topic('dlq-in');
    await p.send([
      progress(inTopic, 'k', 1),
      { topic: inTopic, key: 'k', value: Buffer.from('not avro') },
      progress(inTopic, 'k', 3),
    ]);
    /** A real producer whose sends start late: the window in which nothing may be committed. */
    class SlowProducer extends BatchingProducer {
      sending = false;
      override async send(...args: Parameters<BatchingProducer['send']>) {
        this.sending = true;
        await sleep(2000);
        return super.send(...args);
      }
    }
    const dlqProducer = new SlowProducer({
      transport: kafka.producers(),
      logger,
      partitions,
      name: `dlq_${kind}`,
    });
    producers.push(dlqProducer);
    const got: ConsumedRecord[] = [];
    const c = consumer({
      groupId: group('dlq'),
      topics: [inTopic],
      dlq: { producer: dlqProducer, topic: topic('dlq') },
    });
    await c.start(collect(got));
    await waitUntil('the dead letter to be sent', () => dlqProducer.sending);
    const during = await committed(group('dlq'), 'dlq-in');
    expect(during.every((o) => o.offset <= 1)).toBe(true); // never past the bad record (offset 1)
    await waitUntil('records after the bad one', () => got.length === 2);
    expect(got.map(stepOf)).toEqual(['k/1', 'k/3']);
    await waitUntil(
      'the commit past the batch',
      async () => (await committed(group('dlq'), 'dlq-in'))[0]?.offset === 3,
    );
    const dead = await readRawUntil({ kafka, topic: topic('dlq'), until: (rs) => rs.length >= 1 });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value?.toString()).toBe('not avro');
    expect(dead[0]!.headers).toMatchObject({
      [Header.dlqReason]: 'AVRO_BAD_MAGIC',
      [Header.dlqTopic]: inTopic,
      [Header.dlqPartition]: '0',
      [Header.dlqOffset]: '1',
      [Header.dlqGroup]: group('dlq'),
    });
    await c.stop();
  });

  it('pauses and resumes', async () => {
    const p = producer();
    const got: ConsumedRecord[] = [];
    const c = consumer({ groupId: group('pause'), topics: [topic('pause')] });
    await c.start(collect(got));
    await p.send([progress(topic('pause'), 'a', 1), progress(topic('pause'), 'b', 1)]);
    await waitUntil('the first records', () => got.length === 2);
    c.pause();
    await sleep(500); // a fetch in flight may still be handed out
    const before = got.length;
    await p.send([progress(topic('pause'), 'a', 2), progress(topic('pause'), 'b', 2)]);
    await sleep(2500);
    expect(got.length).toBe(before);
    c.resume();
    await waitUntil('the records written while paused', () => got.length === 4);
    expect(got.map(stepOf).sort()).toEqual(['a/1', 'a/2', 'b/1', 'b/2']);
    await c.stop();
  });

  it('re-reads after a retriable handler failure: nothing lost, nothing doubled', async () => {
    const p = producer();
    const sent = Array.from({ length: 40 }, (_, i) => progress(topic('retry'), `s${i % 4}`, i));
    await p.send(sent);
    const handled: ConsumedRecord[] = [];
    let failures = 0;
    const c = consumer({
      groupId: group('retry'),
      topics: [topic('retry')],
      retryBackoffMs: { initial: 100, max: 500 },
    });
    await c.start((records) => {
      // Fails the first two times it sees step 21: a database that is briefly down.
      if (records.some((r) => (r.value as Progress).lastDurableStep === 21) && failures < 2) {
        failures++;
        return Promise.reject(new UnavailableError('database', 'down for a moment'));
      }
      handled.push(...records);
      return Promise.resolve();
    });
    await waitUntil('every record', () => handled.length >= sent.length);
    await sleep(1000);
    expect(failures).toBe(2);
    expect(handled.map(stepOf).sort()).toEqual(sent.map((_, i) => `s${i % 4}/${i}`).sort());
    // In order per partition.
    for (const partition of new Set(handled.map((r) => r.partition))) {
      const offsets = handled.filter((r) => r.partition === partition).map((r) => r.offset);
      expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    }
    await c.stop();
  });

  it('rebalances when a second member joins and leaves: every record handled, commits at the end', async () => {
    const p = producer();
    const keys = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const batch = (round: number) => keys.map((k) => progress(topic('rebalance'), k, round));
    const handled: ConsumedRecord[] = [];
    const assignments: Assignment[][] = [[], []];
    const member = (i: number) =>
      consumer({
        groupId: group('rebalance'),
        topics: [topic('rebalance')],
        sessionTimeoutMs: 10_000,
        onAssignment: (a) => assignments[i]!.push(a),
      });
    const first = member(0);
    await first.start(collect(handled));
    await p.send(batch(1));
    await waitUntil('round 1', () => handled.length >= keys.length);
    const second = member(1);
    await second.start(collect(handled));
    await waitUntil('the second member to get partitions', () =>
      assignments[1]!.some((a) => (a[topic('rebalance')] ?? []).length > 0),
    );
    await p.send(batch(2));
    await waitUntil('round 2', () => new Set(handled.map(stepOf)).size >= 2 * keys.length);
    await second.stop();
    await p.send(batch(3));
    await waitUntil('round 3', () => new Set(handled.map(stepOf)).size >= 3 * keys.length);
    expect(new Set(handled.map(stepOf)).size).toBe(3 * keys.length);
    // The first member was told of every assignment: its first, the split, all partitions again.
    expect(assignments[0]!.length).toBeGreaterThanOrEqual(3);
    expect(assignments[0]!.at(-1)![topic('rebalance')]).toHaveLength(4);
    const end = await ends('rebalance');
    await waitUntil('commits at the end of every partition', async () => {
      const at = await committed(group('rebalance'), 'rebalance');
      return end.every((e) => at.find((o) => o.partition === e.partition)?.offset === e.high);
    });
    await first.stop();
  });

  it('keeps chunked frames whole when the group rebalances while a batch is in hand', async () => {
    // A request (a record batch) per chunk, and fetches that end inside frames.
    const p = producer(`${topic('midbatch')}-writer`, 70);
    const frame = (simulationId: string, step: number): Frame => ({
      frameId: randomUUID(),
      simulationId,
      step,
      simTime: step,
      fields: [
        {
          name: 'u',
          dtype: 'uint8',
          shape: [200 * KiB],
          codec: 'none',
          data: patternBytes(simulationId, step, 'u', 200 * KiB),
        },
      ],
      attributes: {},
      ingestedAt: Date.now(),
      tenant: 'default',
    });
    const sims = [`mid-a-${run}`, `mid-b-${run}`, `mid-c-${run}`];
    const wanted = sims.flatMap((sim) => [1, 2, 3, 4].map((step) => `${sim}/${step}`));
    for (const step of [1, 2, 3, 4])
      for (const sim of sims)
        await p.send(
          frameRecords(registry, frame(sim, step), {
            topic: topic('midbatch'),
            maxRecordBytes: 180 * KiB,
            chunkBytes: 64 * KiB,
          }),
        );
    const handled = new Set<string>();
    const record = (rs: ConsumedRecord[]) => {
      for (const r of rs) {
        const f = r.value as Frame;
        const expected = patternBytes(f.simulationId, f.step, 'u', 200 * KiB);
        if (Buffer.compare(f.fields[0]!.data, expected) === 0) handled.add(`${f.simulationId}/${f.step}`);
      }
    };
    let inHand: () => void = () => undefined;
    const batchInHand = new Promise<void>((resolve) => (inHand = resolve));
    const assignments: Assignment[] = [];
    const first = consumer({
      groupId: group('midbatch'),
      topics: [topic('midbatch')],
      sessionTimeoutMs: 10_000,
      maxBytesPerPartition: 150 * KiB,
      onAssignment: (a) => assignments.push(a),
    });
    let slow = true;
    await first.start(async (rs) => {
      if (slow) {
        slow = false;
        inHand();
        await sleep(8000); // the second member joins meanwhile: the group rebalances under this batch
      }
      record(rs);
    });
    await batchInHand;
    const second = consumer({
      groupId: group('midbatch'),
      topics: [topic('midbatch')],
      sessionTimeoutMs: 10_000,
    });
    await second.start((rs) => {
      record(rs);
      return Promise.resolve();
    });
    await waitUntil('every frame, whole', () => wanted.every((w) => handled.has(w)), 90_000);
    // The second member can take over and handle everything while the first still sleeps in its
    // batch; the first hears of the new assignment only once that batch is over.
    await waitUntil('the first member to see the rebalance', () => assignments.length >= 2, 30_000);
    await second.stop();
    const end = await ends('midbatch');
    await waitUntil('commits at the end of every partition', async () => {
      const at = await committed(group('midbatch'), 'midbatch');
      // Each partition ends with a transaction marker, which a commit may stop before.
      return end.every((e) => (at.find((o) => o.partition === e.partition)?.offset ?? -1) >= e.high - 1);
    });
    await first.stop();
  });

  it('resumes from the committed offset after a restart', async () => {
    const p = producer();
    await p.send(Array.from({ length: 10 }, (_, i) => progress(topic('restart'), `t${i % 2}`, i)));
    const before: ConsumedRecord[] = [];
    const c1 = consumer({ groupId: group('restart'), topics: [topic('restart')] });
    await c1.start(collect(before));
    await waitUntil('the first half', () => before.length === 10);
    await c1.stop();
    await p.send(Array.from({ length: 10 }, (_, i) => progress(topic('restart'), `t${i % 2}`, 10 + i)));
    const after: ConsumedRecord[] = [];
    const c2 = consumer({ groupId: group('restart'), topics: [topic('restart')] });
    await c2.start(collect(after));
    await waitUntil('the second half', () => after.length >= 10);
    await sleep(1000);
    expect(after.map((r) => (r.value as Progress).lastDurableStep).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 10 }, (_, i) => 10 + i),
    );
    await c2.stop();
  });
});
