/**
 * KafkaAdmin on kafkajs's admin client. kafkajs's errors become KafkaRequestError here, retriable
 * as kafkajs judges them (isRetriableKafkaError), so retryKafka keeps retrying what it retried.
 */
import type { Admin, Kafka } from 'kafkajs';
import { KafkaRequestError, kafkaErrorType } from '../kafka-errors.js';
import { isRetriableKafkaError } from '../kafka-retry.js';
import type {
  GroupDescription,
  KafkaAdmin,
  NewTopic,
  PartitionOffsets,
  TopicMetadata,
} from '../kafka-admin.js';

/** A kafkajs error as our KafkaRequestError (the kafkajs error is its cause). */
export function fromKafkajsRequest(error: unknown): KafkaRequestError {
  if (error instanceof KafkaRequestError) return error;
  return new KafkaRequestError(isRetriableKafkaError(error), kafkaErrorType(error), error);
}

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromKafkajsRequest(error);
  }
}

export class KafkajsAdmin implements KafkaAdmin {
  private readonly admin: Admin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return mapped(() => this.admin.connect());
  }

  disconnect(): Promise<void> {
    return mapped(() => this.admin.disconnect());
  }

  listTopics(): Promise<string[]> {
    return mapped(() => this.admin.listTopics());
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    await mapped(() =>
      this.admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      }),
    );
  }

  deleteTopics(names: readonly string[]): Promise<void> {
    return mapped(() => this.admin.deleteTopics({ topics: [...names] }));
  }

  async topicMetadata(names: readonly string[]): Promise<TopicMetadata[]> {
    const metadata = await mapped(() => this.admin.fetchTopicMetadata({ topics: [...names] }));
    return metadata.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          errorCode: p.partitionErrorCode,
        }))
        .sort((a, b) => a.partition - b.partition),
    }));
  }

  async topicConfigs(
    topics: readonly { readonly name: string; readonly configNames: readonly string[] }[],
  ): Promise<Map<string, Map<string, string>>> {
    const described = await mapped(() =>
      this.admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((t) => ({
          type: 2 /* TOPIC */,
          name: t.name,
          configNames: [...t.configNames],
        })),
      }),
    );
    return new Map(
      described.resources.map((r) => [
        r.resourceName,
        new Map(r.configEntries.map((e) => [e.configName, e.configValue])),
      ]),
    );
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await mapped(() => this.admin.fetchTopicOffsets(topic));
    return offsets
      .map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async groupOffsets(groupId: string, topic: string): Promise<{ partition: number; offset: number }[]> {
    const [offsets] = await mapped(() => this.admin.fetchOffsets({ groupId, topics: [topic] }));
    return (offsets?.partitions ?? [])
      .map((p) => ({ partition: p.partition, offset: Number(p.offset) }))
      .sort((a, b) => a.partition - b.partition);
  }

  setGroupOffsets(groupId: string, topic: string, offsets: ReadonlyMap<number, number>): Promise<void> {
    return mapped(() =>
      this.admin.setOffsets({
        groupId,
        topic,
        partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })),
      }),
    );
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const { groups } = await mapped(() => this.admin.describeGroups([groupId]));
    const group = groups[0];
    return { state: group?.state ?? 'Dead', members: group?.members.length ?? 0 };
  }
}
