/**
 * ConsumerTransport on kafkajs's consumer (eachBatch, no auto-commit, no auto-resolve): the
 * behaviour our consumers had when they held kafkajs directly. kafkajs's errors become
 * KafkaRequestError on the way out; an error thrown by the batch callback goes back to kafkajs as
 * kafkajs's own error again when it was one (kafkajs tells a rebalance from a failure by its
 * error's type: it must see its own errors to rejoin the group).
 *
 * read_committed: kafkajs 2.2.4 drops records of aborted transactions with a filter that assumes
 * the broker lists them in the order they began, and lets records through when they were aborted
 * in another order. The list is not kept on the batch kafkajs hands out (its constructor filters
 * and drops it), so no transport can redo the filtering from outside; the fix is a declared source
 * patch of kafkajs (patches/kafkajs@2.2.4.patch, see README).
 */
import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { KafkaRequestError } from '../kafka-errors.js';
import type {
  BatchCallback,
  ConsumerEvents,
  ConsumerTransport,
  ConsumerTransportOptions,
  ConsumedMessage,
} from '../consumer-transport.js';
import { fromKafkajsRequest } from './kafkajs-admin.js';

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromKafkajsRequest(error);
  }
}

/** What kafkajs must see of an error thrown by a batch callback: its own error, if it was one. */
function forKafkajs(error: unknown): unknown {
  return error instanceof KafkaRequestError && error.cause !== undefined ? error.cause : error;
}

function headersOf(headers: IHeaders | undefined): Record<string, Buffer | undefined> {
  const out: Record<string, Buffer | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = first === undefined ? undefined : Buffer.isBuffer(first) ? first : Buffer.from(first);
  }
  return out;
}

export class KafkajsConsumer implements ConsumerTransport {
  private readonly consumer: Consumer;

  constructor(kafka: Kafka, options: ConsumerTransportOptions) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: options.readUncommitted ?? false,
      allowAutoTopicCreation: false,
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: options.sessionTimeoutMs }),
      ...(options.heartbeatIntervalMs === undefined
        ? {}
        : { heartbeatInterval: options.heartbeatIntervalMs }),
      ...(options.maxBytesPerPartition === undefined
        ? {}
        : { maxBytesPerPartition: options.maxBytesPerPartition }),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 250,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  connect(): Promise<void> {
    return mapped(() => this.consumer.connect());
  }

  subscribe(topics: readonly string[], options: { readonly fromBeginning: boolean }): Promise<void> {
    return mapped(() =>
      this.consumer.subscribe({ topics: [...topics], fromBeginning: options.fromBeginning }),
    );
  }

  run(options: { readonly eachBatch: BatchCallback; readonly concurrency?: number }): Promise<void> {
    return mapped(() =>
      this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency ?? 1,
        eachBatch: async (payload) => {
          try {
            await this.onBatch(payload, options.eachBatch);
          } catch (error) {
            throw forKafkajs(error);
          }
        },
      }),
    );
  }

  private onBatch(payload: EachBatchPayload, eachBatch: BatchCallback): Promise<void> {
    const { batch } = payload;
    const messages: ConsumedMessage[] = batch.messages.map((m) => ({
      offset: Number(m.offset),
      key: m.key ?? null,
      value: m.value,
      timestamp: Number(m.timestamp),
      headers: headersOf(m.headers),
    }));
    return eachBatch(
      {
        topic: batch.topic,
        partition: batch.partition,
        messages,
        lastOffset: Number(batch.lastOffset()),
        offsetLag: () => Number(batch.offsetLag()),
      },
      {
        heartbeat: () => mapped(() => payload.heartbeat()),
        isRunning: () => payload.isRunning(),
        isStale: () => payload.isStale(),
        resolveOffset: (offset) => payload.resolveOffset(String(offset)),
        pause: () => payload.pause(),
      },
    );
  }

  commitOffsets(offsets: readonly { topic: string; partition: number; offset: number }[]): Promise<void> {
    return mapped(() =>
      this.consumer.commitOffsets(offsets.map((o) => ({ ...o, offset: String(o.offset) }))),
    );
  }

  seek(topic: string, partition: number, offset: number): void {
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  pause(topics: readonly string[]): void {
    this.consumer.pause(topics.map((topic) => ({ topic })));
  }

  resume(topics: readonly string[]): void {
    this.consumer.resume(topics.map((topic) => ({ topic })));
  }

  on<E extends keyof ConsumerEvents>(event: E, listener: ConsumerEvents[E]): void {
    const { events } = this.consumer;
    if (event === 'assignment') {
      const onAssignment = listener as ConsumerEvents['assignment'];
      this.consumer.on(events.GROUP_JOIN, (e) => onAssignment(e.payload.memberAssignment));
    } else if (event === 'progress') {
      const progress = listener as ConsumerEvents['progress'];
      this.consumer.on(events.END_BATCH_PROCESS, (e) =>
        progress(e.payload.topic, e.payload.partition, Number(e.payload.lastOffset)),
      );
    } else if (event === 'alive') {
      const alive = listener as ConsumerEvents['alive'];
      for (const name of [
        events.FETCH_START,
        events.FETCH,
        events.START_BATCH_PROCESS,
        events.END_BATCH_PROCESS,
        events.HEARTBEAT,
        events.GROUP_JOIN,
      ])
        this.consumer.on(name, () => alive());
    } else {
      const crash = listener as ConsumerEvents['crash'];
      this.consumer.on(events.CRASH, (e) => crash(fromKafkajsRequest(e.payload.error), e.payload.restart));
    }
  }

  disconnect(): Promise<void> {
    return mapped(() => this.consumer.disconnect());
  }
}
