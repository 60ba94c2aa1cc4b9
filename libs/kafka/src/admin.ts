/**
 * Topic administration: create our topics with explicit partitions, replication and config
 * (idempotent: existing topics are left as they are, differences are reported), and partition
 * counts for the producer's partitioner, refreshed periodically.
 */
import type { Kafka } from 'kafkajs';
import { UnavailableError, messageOf } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import type { TopicDefinition } from './topics.js';

export interface EnsureTopicsReport {
  readonly created: string[];
  readonly existing: string[];
  /** Existing topics whose partitions or config differ from the definition. */
  readonly drift: { topic: string; difference: string }[];
}

export async function ensureTopics(
  kafka: Kafka,
  definitions: readonly (TopicDefinition & { replicationFactor: number })[],
  logger: Logger,
): Promise<EnsureTopicsReport> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = definitions.filter((d) => !existing.has(d.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((d) => ({
          topic: d.name,
          numPartitions: d.partitions,
          replicationFactor: d.replicationFactor,
          configEntries: Object.entries(d.config).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    const present = definitions.filter((d) => existing.has(d.name));
    const drift: { topic: string; difference: string }[] = [];
    if (present.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: present.map((d) => d.name) });
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: present.map((d) => ({
          type: 2 /* TOPIC */,
          name: d.name,
          configNames: Object.keys(d.config),
        })),
      });
      for (const d of present) {
        const partitions = metadata.topics.find((t) => t.name === d.name)?.partitions.length ?? 0;
        if (partitions !== d.partitions)
          drift.push({ topic: d.name, difference: `partitions ${partitions}, defined ${d.partitions}` });
        const entries = configs.resources.find((r) => r.resourceName === d.name)?.configEntries ?? [];
        for (const [name, value] of Object.entries(d.config)) {
          const actual = entries.find((e) => e.configName === name)?.configValue;
          if (actual !== value)
            drift.push({ topic: d.name, difference: `${name}=${actual}, defined ${value}` });
        }
      }
    }
    for (const item of drift)
      logger.warn(item, 'topic differs from its definition (not changed automatically)');
    if (missing.length > 0) logger.info({ topics: missing.map((d) => d.name) }, 'created topics');
    return { created: missing.map((d) => d.name), existing: present.map((d) => d.name), drift };
  } finally {
    await admin.disconnect();
  }
}

/** Partition counts per topic, fetched on first use and refreshed every `refreshMs`. */
export class PartitionCounts {
  private readonly counts = new Map<string, { count: number; at: number }>();
  private readonly inFlight = new Map<string, Promise<number>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly refreshMs = 60_000,
  ) {}

  /** Partitions of `topic`; `fresh` asks the broker even when the cached count is recent. */
  async of(topic: string, options: { fresh?: boolean } = {}): Promise<number> {
    const cached = this.counts.get(topic);
    if (cached !== undefined && !options.fresh && Date.now() - cached.at < this.refreshMs)
      return cached.count;
    // One metadata request at a time per topic, however many callers ask.
    let pending = this.inFlight.get(topic);
    if (pending === undefined) {
      pending = this.fetch(topic, cached, options.fresh ?? false).finally(() => this.inFlight.delete(topic));
      this.inFlight.set(topic, pending);
    }
    return pending;
  }

  private async fetch(topic: string, cached: { count: number } | undefined, fresh: boolean): Promise<number> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const count = metadata.topics[0]?.partitions.length ?? 0;
      if (count === 0) throw new Error(`topic ${topic} has no partitions`);
      this.counts.set(topic, { count, at: Date.now() });
      return count;
    } catch (error) {
      if (cached !== undefined && !fresh) return cached.count; // stale beats nothing during an outage
      throw new UnavailableError('kafka', `cannot read metadata of ${topic}: ${messageOf(error)}`, {
        cause: error,
      });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Sets a known count (tests, and callers that fetched metadata anyway). */
  set(topic: string, count: number): void {
    this.counts.set(topic, { count, at: Date.now() });
  }
}
