/**
 * The admin calls our code makes (topic creation and metadata, offsets of topics and groups),
 * as our own small interface: a client library's admin (transports/*) behind it rejects with
 * KafkaRequestError only, so services, tools and tests never hold a library's admin type.
 */

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

export interface PartitionMetadata {
  readonly partition: number;
  /** Broker id of the leader, -1 when there is none. */
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Kafka's error code for the partition (0: none). */
  readonly errorCode: number;
}

export interface TopicMetadata {
  readonly name: string;
  readonly partitions: readonly PartitionMetadata[];
}

export interface PartitionOffsets {
  readonly partition: number;
  /** The first offset still held. */
  readonly low: number;
  /**
   * The end for read_committed readers: the last stable offset (ListOffsets read_committed), which
   * stays before an open transaction's first record; the high watermark when none is open.
   */
  readonly high: number;
}

export interface GroupDescription {
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
  readonly state: string;
  readonly members: number;
}

/** An admin client: connect before use, disconnect after (withAdmin in offsets.ts does both). */
export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Creates the topics and resolves once every partition has a leader. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  deleteTopics(names: readonly string[]): Promise<void>;
  topicMetadata(names: readonly string[]): Promise<TopicMetadata[]>;
  /** The named config values of each topic (topic → name → value). */
  topicConfigs(
    topics: readonly { readonly name: string; readonly configNames: readonly string[] }[],
  ): Promise<Map<string, Map<string, string>>>;
  /** Low and high offsets of every partition (high: the last stable offset). */
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** The committed offset of every partition of `topic` for `groupId` (-1: none). */
  groupOffsets(groupId: string, topic: string): Promise<{ partition: number; offset: number }[]>;
  /** Sets committed offsets of a group with no live members. */
  setGroupOffsets(groupId: string, topic: string, offsets: ReadonlyMap<number, number>): Promise<void>;
  describeGroup(groupId: string): Promise<GroupDescription>;
}
