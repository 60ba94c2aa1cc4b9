/**
 * Offsets of a topic's partitions (ListOffsets), read with retries: right after a topic is
 * created, or while leadership moves, a partition's leader answers NOT_LEADER_FOR_PARTITION
 * for a moment, and kafkajs's admin gives up on that at once. Each attempt uses a fresh admin
 * client, so it starts from fresh metadata.
 */
import type { Admin, Kafka } from 'kafkajs';
import { retryKafka, type KafkaRetryOptions } from './kafka-retry.js';

export interface PartitionOffsets {
  readonly partition: number;
  /** The first offset still held. */
  readonly low: number;
  /** The offset the next record will get (the high watermark). */
  readonly high: number;
}

/** Runs `fn` with a connected admin client, disconnected afterwards. */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Low and high offsets of every partition of `topic`, retrying retriable errors. */
export function topicOffsets(
  kafka: Kafka,
  topic: string,
  options: Omit<KafkaRetryOptions, 'what'> = {},
): Promise<PartitionOffsets[]> {
  return retryKafka(
    () =>
      withAdmin(kafka, async (admin) =>
        (await admin.fetchTopicOffsets(topic)).map((p) => ({
          partition: p.partition,
          low: Number(p.low),
          high: Number(p.high),
        })),
      ),
    { ...options, what: `reading the offsets of ${topic}` },
  );
}

/** Sets where consumer group `groupId` (with no live members) starts reading `topic`. */
export function setGroupOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
  offsets: ReadonlyMap<number, number>,
  options: Omit<KafkaRetryOptions, 'what'> = {},
): Promise<void> {
  return retryKafka(
    () =>
      withAdmin(kafka, (admin) =>
        admin.setOffsets({
          groupId,
          topic,
          partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })),
        }),
      ),
    { ...options, what: `positioning group ${groupId} on ${topic}` },
  );
}
