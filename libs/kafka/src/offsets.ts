/**
 * Offsets of a topic's partitions (ListOffsets) and of consumer groups, read with retries: right
 * after a topic is created, or while leadership moves, a partition's leader answers
 * NOT_LEADER_FOR_PARTITION for a moment, and an admin client gives up on that at once. Each
 * attempt uses a fresh admin client, so it starts from fresh metadata.
 */
import type { KafkaClient } from './client.js';
import type { KafkaAdmin, PartitionOffsets } from './kafka-admin.js';
import { retryKafka, type KafkaRetryOptions } from './kafka-retry.js';

/** Runs `fn` with a connected admin client, disconnected afterwards. */
export async function withAdmin<T>(kafka: KafkaClient, fn: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
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
  kafka: KafkaClient,
  topic: string,
  options: Omit<KafkaRetryOptions, 'what'> = {},
): Promise<PartitionOffsets[]> {
  return retryKafka(() => withAdmin(kafka, (admin) => admin.topicOffsets(topic)), {
    ...options,
    what: `reading the offsets of ${topic}`,
  });
}

/** Sets where consumer group `groupId` (with no live members) starts reading `topic`. */
export function setGroupOffsets(
  kafka: KafkaClient,
  groupId: string,
  topic: string,
  offsets: ReadonlyMap<number, number>,
  options: Omit<KafkaRetryOptions, 'what'> = {},
): Promise<void> {
  return retryKafka(() => withAdmin(kafka, (admin) => admin.setGroupOffsets(groupId, topic, offsets)), {
    ...options,
    what: `positioning group ${groupId} on ${topic}`,
  });
}
