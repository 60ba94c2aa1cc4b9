import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CancelledError, UnavailableError } from '@simstream/errors';
import { createLogger } from '@simstream/observability';
import type { Kafka } from 'kafkajs';
import type { PartitionCounts } from './admin.js';
import { KafkaRejectedError } from './kafka-errors.js';
import { BatchingProducer, type OutRecord } from './producer.js';
import { kafkajsTransport } from './transports/kafkajs.js';

type Msg = { key: string; value: Buffer; partition: number };
type Request = { topicMessages: { topic: string; messages: Msg[] }[] };

/** A fake kafkajs whose requests the test completes or fails by hand. */
class FakeKafka {
  readonly requests: { request: Request; resolve: () => void; reject: (e: unknown) => void }[] = [];
  readonly commits: number[] = [];
  private readonly offsets = new Map<string, number>();
  producers = 0;

  producer() {
    this.producers++;
    const send = (request: Request) =>
      new Promise((resolve, reject) => {
        this.requests.push({
          request,
          resolve: () =>
            resolve(
              request.topicMessages.flatMap(({ topic, messages }) => {
                const parts = [...new Set(messages.map((m) => m.partition))];
                return parts.map((partition) => {
                  const slot = `${topic}/${partition}`;
                  const base = this.offsets.get(slot) ?? 0;
                  this.offsets.set(slot, base + messages.filter((m) => m.partition === partition).length);
                  return { topicName: topic, partition, errorCode: 0, baseOffset: String(base) };
                });
              }),
            ),
          reject,
        });
      });
    return {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      sendBatch: send,
      transaction: () => {
        let active = true;
        return Promise.resolve({
          sendBatch: send,
          commit: () => {
            active = false;
            this.commits.push(this.requests.length);
            return Promise.resolve();
          },
          abort: () => {
            active = false;
            return Promise.resolve();
          },
          isActive: () => active,
        });
      },
    };
  }

  /** Completes the oldest open request. */
  complete(): void {
    this.requests.shift()!.resolve();
  }
  fail(error: unknown): void {
    this.requests.shift()!.reject(error);
  }
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));
const logger = createLogger({
  service: 't',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});
const partitions = { of: () => Promise.resolve(12) } as unknown as PartitionCounts;
const rec = (key: string, bytes = 10, partition?: number): OutRecord => ({
  topic: 't',
  key,
  value: Buffer.alloc(bytes),
  ...(partition === undefined ? {} : { partition }),
});

function producer(fake: FakeKafka, extra: Partial<ConstructorParameters<typeof BatchingProducer>[0]> = {}) {
  return new BatchingProducer({
    transport: kafkajsTransport(fake as unknown as Kafka),
    logger,
    partitions,
    name: 'test',
    outageTimeoutMs: 200,
    ...extra,
  });
}

describe('BatchingProducer', () => {
  it('batches what queues up while a request is in flight, and maps offsets per partition', async () => {
    const fake = new FakeKafka();
    const p = producer(fake, { transactionalId: 'tx' });
    const first = p.send([rec('a', 10, 0)]);
    await tick();
    const second = p.send([rec('b', 10, 0), rec('c', 10, 1)]);
    const third = p.send([rec('d', 10, 0)]);
    expect(fake.requests).toHaveLength(1);
    fake.complete();
    await tick();
    // One partition per kafkajs call in a transaction (one broker per call), partitions in parallel.
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests.map((r) => r.request.topicMessages[0]!.messages.map((m) => m.key))).toEqual([
      ['b', 'd'],
      ['c'],
    ]);
    fake.complete();
    fake.complete();
    expect(await first).toEqual([{ topic: 't', partition: 0, offset: 0 }]);
    expect(await second).toEqual([
      { topic: 't', partition: 0, offset: 1 },
      { topic: 't', partition: 1, offset: 0 },
    ]);
    expect(await third).toEqual([{ topic: 't', partition: 0, offset: 2 }]);
    expect(fake.commits).toHaveLength(2); // one transaction per batch
  });

  it('writes records with the same coalesce key once per batch: the last one', async () => {
    const fake = new FakeKafka();
    const p = producer(fake, { transactionalId: 'tx' });
    const first = p.send([rec('a', 10, 0)]);
    await tick();
    const progress = (step: number): OutRecord => ({
      topic: 'progress',
      key: 'sim',
      value: Buffer.from(String(step)),
      partition: 5,
      coalesce: 'progress/sim',
    });
    const second = p.send([rec('b', 10, 0), progress(1)]);
    const third = p.send([rec('c', 10, 0), progress(2)]);
    fake.complete();
    await tick();
    const written = fake.requests[0]!.request.topicMessages.flatMap((t) =>
      t.messages.map((m) => `${t.topic}:${m.value.toString()}`),
    );
    expect(written).toEqual(['t:\0\0\0\0\0\0\0\0\0\0', 't:\0\0\0\0\0\0\0\0\0\0']);
    fake.complete();
    await tick();
    expect(
      fake.requests[0]!.request.topicMessages.flatMap((t) => t.messages.map((m) => m.value.toString())),
    ).toEqual(['2']);
    fake.complete();
    await first;
    const [b, c] = [await second, await third];
    expect(b[1]).toEqual({ topic: 'progress', partition: 5, offset: 0 }); // the surviving record's delivery
    expect(c[1]).toEqual({ topic: 'progress', partition: 5, offset: 0 });
  });

  it('splits a batch so no partition gets more than its limit per request, keeping order', async () => {
    const fake = new FakeKafka();
    const p = producer(fake, { maxPartitionBytes: () => 250 });
    const sent = p.send([rec('a', 100, 0), rec('b', 100, 0), rec('c', 100, 0), rec('d', 100, 1)]);
    await tick();
    expect(fake.requests[0]!.request.topicMessages[0]!.messages.map((m) => m.key)).toEqual(['a']);
    fake.complete();
    await tick();
    expect(fake.requests[0]!.request.topicMessages[0]!.messages.map((m) => m.key)).toEqual(['b']);
    fake.complete();
    await tick();
    expect(fake.requests[0]!.request.topicMessages[0]!.messages.map((m) => m.key)).toEqual(['c', 'd']);
    fake.complete();
    expect((await sent).map((d) => d.offset)).toEqual([0, 1, 2, 0]);
  });

  it('retries transient failures, then fails the batch UNAVAILABLE after the outage timeout', async () => {
    const fake = new FakeKafka();
    const p = producer(fake, { outageTimeoutMs: 300 });
    const ok = p.send([rec('a', 10, 0)]);
    await tick();
    fake.fail(new Error('Connection error: ECONNREFUSED'));
    while (fake.requests.length === 0) await tick(); // retried after a short backoff
    fake.complete();
    expect(await ok).toHaveLength(1);
    expect(p.unavailableForMs).toBeUndefined();

    const doomed = p.send([rec('a', 10, 0)], { orderingKey: 'stream-1' }).catch((e: unknown) => e);
    await tick();
    const later = p.send([rec('a', 10, 0)], { orderingKey: 'stream-1' }).catch((e: unknown) => e);
    const other = p.send([rec('z', 10, 2)], { orderingKey: 'stream-2' });
    expect(await doomed).toBeInstanceOf(UnavailableError); // nothing answers for 300 ms
    // The later write of the same stream is refused, never written after the failed one...
    expect(await later).toBeInstanceOf(UnavailableError);
    // ...while other streams go on once Kafka answers.
    await tick();
    while (fake.requests.length > 0) fake.complete();
    await tick();
    while (fake.requests.length > 0) fake.complete();
    expect(await other).toHaveLength(1);
    expect(fake.requests.flatMap((r) => r.request.topicMessages)).toEqual([]);
  });

  it('gives up at once on permanent errors, and cancels groups whose signal aborted', async () => {
    const fake = new FakeKafka();
    const p = producer(fake);
    const tooBig = p.send([rec('a', 10, 0)]);
    await tick();
    const controller = new AbortController();
    const cancelled = p.send([rec('b', 10, 0)], { signal: controller.signal });
    controller.abort();
    fake.fail(Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' }));
    await expect(tooBig).rejects.toBeInstanceOf(KafkaRejectedError);
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError);
  });
});
