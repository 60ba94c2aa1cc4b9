/**
 * KafkaAdmin on @platformatic/kafka's Admin. Its errors become KafkaRequestError (retriable when
 * transient, as the producer transport classifies them), so retryKafka retries what it should.
 * Two things kafkajs's admin did that this one does not, done here: creating topics waits until
 * every partition has a leader, and a group's offsets list every partition of the topic (-1 for
 * none committed), not only the committed ones.
 */
import {
  Admin,
  ConfigResourceTypes,
  FetchIsolationLevels,
  ListOffsetTimestamps,
  type AdminOptions,
} from '@platformatic/kafka';
import { UnavailableError } from '@simstream/errors';
import type { KafkaConnectionConfig } from '../connection.js';
import type {
  GroupDescription,
  KafkaAdmin,
  NewTopic,
  PartitionOffsets,
  TopicMetadata,
} from '../kafka-admin.js';
import { connectionOptions, mappedRequest as mapped } from './platformatic-connection.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class PlatformaticAdmin implements KafkaAdmin {
  private readonly admin: Admin;

  constructor(config: KafkaConnectionConfig) {
    const options: AdminOptions = {
      ...connectionOptions(config),
      // Few quick retries: callers retry with their own backoff and deadline (retryKafka).
      retries: 3,
      retryDelay: 200,
    };
    this.admin = new Admin(options);
  }

  async connect(): Promise<void> {
    // The client connects on demand; asking for metadata proves a broker answers.
    await mapped(() => this.admin.metadata({ topics: [] }));
  }

  disconnect(): Promise<void> {
    return mapped(() => this.admin.close());
  }

  listTopics(): Promise<string[]> {
    return mapped(() => this.admin.listTopics());
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    // One request per topic: a request's configs apply to all its topics.
    for (const t of topics)
      await mapped(() =>
        this.admin.createTopics({
          topics: [t.name],
          partitions: t.partitions,
          replicas: t.replicationFactor,
          configs: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        }),
      );
    const names = topics.map((t) => t.name);
    for (let attempt = 0; ; attempt++) {
      const leaderless = (await this.topicMetadata(names).catch(() => undefined))?.flatMap((t) =>
        t.partitions.filter((p) => p.leader < 0),
      );
      if (leaderless !== undefined && leaderless.length === 0) return;
      if (attempt >= 60)
        throw new UnavailableError('kafka', `the new topics have no leaders yet: ${names.join(', ')}`);
      await sleep(250);
    }
  }

  deleteTopics(names: readonly string[]): Promise<void> {
    return mapped(() => this.admin.deleteTopics({ topics: [...names] }));
  }

  async topicMetadata(names: readonly string[]): Promise<TopicMetadata[]> {
    const metadata = await mapped(() => this.admin.metadata({ topics: [...names], forceUpdate: true }));
    return names.flatMap((name) => {
      const topic = metadata.topics.get(name);
      if (topic === undefined) return [];
      return [
        {
          name,
          partitions: topic.partitions.map((p, partition) => ({
            partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            errorCode: 0,
          })),
        },
      ];
    });
  }

  async topicConfigs(
    topics: readonly { readonly name: string; readonly configNames: readonly string[] }[],
  ): Promise<Map<string, Map<string, string>>> {
    const described = await mapped(() =>
      this.admin.describeConfigs({
        resources: topics.map((t) => ({
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: t.name,
          configurationKeys: [...t.configNames],
        })),
      }),
    );
    return new Map(
      described.map((d) => [
        d.resourceName,
        new Map(d.configs.flatMap((c) => (c.value === null ? [] : [[c.name, c.value] as [string, string]]))),
      ]),
    );
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const count = await this.partitionCount(topic);
    const at = async (timestamp: bigint) => {
      const [listed] = await mapped(() =>
        this.admin.listOffsets({
          topics: [
            {
              name: topic,
              partitions: Array.from({ length: count }, (_, partitionIndex) => ({
                partitionIndex,
                timestamp,
              })),
            },
          ],
          isolationLevel: FetchIsolationLevels.READ_COMMITTED, // as kafkajs's admin: `high` is the last stable offset
        }),
      );
      return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]));
    };
    const [low, high] = await Promise.all([
      at(ListOffsetTimestamps.EARLIEST),
      at(ListOffsetTimestamps.LATEST),
    ]);
    return Array.from({ length: count }, (_, partition) => ({
      partition,
      low: low.get(partition) ?? 0,
      high: high.get(partition) ?? 0,
    }));
  }

  async groupOffsets(groupId: string, topic: string): Promise<{ partition: number; offset: number }[]> {
    const count = await this.partitionCount(topic);
    const [group] = await mapped(() =>
      this.admin.listConsumerGroupOffsets({
        groups: [
          {
            groupId,
            topics: [{ name: topic, partitionIndexes: Array.from({ length: count }, (_, i) => i) }],
          },
        ],
      }),
    );
    const committed = new Map(
      (group?.topics.find((t) => t.name === topic)?.partitions ?? []).map((p) => [
        p.partitionIndex,
        Number(p.committedOffset),
      ]),
    );
    return Array.from({ length: count }, (_, partition) => ({
      partition,
      offset: committed.get(partition) ?? -1,
    }));
  }

  setGroupOffsets(groupId: string, topic: string, offsets: ReadonlyMap<number, number>): Promise<void> {
    return mapped(() =>
      this.admin.alterConsumerGroupOffsets({
        groupId,
        topics: [
          {
            name: topic,
            partitionOffsets: [...offsets].map(([partition, offset]) => ({
              partition,
              offset: BigInt(offset),
            })),
          },
        ],
      }),
    );
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    const groups = await mapped(() => this.admin.describeGroups({ groups: [groupId] }));
    const group = groups.get(groupId);
    return { state: group?.state ?? 'Dead', members: group?.members.size ?? 0 };
  }

  private async partitionCount(topic: string): Promise<number> {
    const [metadata] = await this.topicMetadata([topic]);
    if (metadata === undefined || metadata.partitions.length === 0)
      throw new UnavailableError('kafka', `no metadata for topic ${topic}`);
    return metadata.partitions.length;
  }
}
