/**
 * Topic administration: create our topics with explicit partitions, replication and config
 * (idempotent: existing topics are left as they are, differences are reported), returning only
 * once every partition's leader serves it; and partition counts for the producer's partitioner,
 * refreshed periodically.
 */
import { UnavailableError, messageOf } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import type { KafkaClient } from './client.js';
import { retryKafka } from './kafka-retry.js';
import { withAdmin } from './offsets.js';
import type { TopicDefinition } from './topics.js';

export interface EnsureTopicsReport {
  readonly created: string[];
  readonly existing: string[];
  /** Existing topics whose partitions or config differ from the definition. */
  readonly drift: { topic: string; difference: string }[];
}

/**
 * Creates the missing topics and reports drift of the existing ones; resolves once every
 * partition of every defined topic has a leader that answers ListOffsets, so that the caller
 * can read offsets and produce at once. Retriable Kafka errors (a broker still starting, a
 * leader not ready) are retried with backoff.
 */
export async function ensureTopics(
  kafka: KafkaClient,
  definitions: readonly (TopicDefinition & { replicationFactor: number })[],
  logger: Logger,
): Promise<EnsureTopicsReport> {
  const created = new Set<string>();
  const existing = await retryKafka(
    () =>
      withAdmin(kafka, async (admin) => {
        const listed = new Set(await admin.listTopics());
        const missing = definitions.filter((d) => !listed.has(d.name) && !created.has(d.name));
        if (missing.length > 0) {
          await admin.createTopics(
            missing.map((d) => ({
              name: d.name,
              partitions: d.partitions,
              replicationFactor: d.replicationFactor,
              config: d.config,
            })),
          );
          for (const d of missing) created.add(d.name);
          logger.info({ topics: missing.map((d) => d.name) }, 'created topics');
        }
        return listed;
      }),
    { what: 'creating topics', logger },
  );
  const present = definitions.filter((d) => existing.has(d.name) && !created.has(d.name));
  const drift = present.length === 0 ? [] : await driftOf(kafka, present, logger);
  for (const item of drift)
    logger.warn(item, 'topic differs from its definition (not changed automatically)');
  await waitUntilServed(
    kafka,
    definitions.map((d) => d.name),
    logger,
  );
  return { created: [...created], existing: present.map((d) => d.name), drift };
}

function driftOf(
  kafka: KafkaClient,
  present: readonly TopicDefinition[],
  logger: Logger,
): Promise<{ topic: string; difference: string }[]> {
  return retryKafka(
    () =>
      withAdmin(kafka, async (admin) => {
        const metadata = await admin.topicMetadata(present.map((d) => d.name));
        const configs = await admin.topicConfigs(
          present.map((d) => ({ name: d.name, configNames: Object.keys(d.config) })),
        );
        const drift: { topic: string; difference: string }[] = [];
        for (const d of present) {
          const partitions = metadata.find((t) => t.name === d.name)?.partitions.length ?? 0;
          if (partitions !== d.partitions)
            drift.push({ topic: d.name, difference: `partitions ${partitions}, defined ${d.partitions}` });
          const entries = configs.get(d.name);
          for (const [name, value] of Object.entries(d.config)) {
            const actual = entries?.get(name);
            if (actual !== value)
              drift.push({ topic: d.name, difference: `${name}=${actual}, defined ${value}` });
          }
        }
        return drift;
      }),
    { what: 'comparing topics with their definitions', logger },
  );
}

/**
 * Resolves once every partition of `topics` has a leader in the metadata and that leader
 * answers ListOffsets. The second test matters: after a creation (and with KRaft, after any
 * leadership change) a leader is in the metadata a moment before it serves the partition.
 */
async function waitUntilServed(kafka: KafkaClient, topics: readonly string[], logger: Logger): Promise<void> {
  await retryKafka(
    () =>
      withAdmin(kafka, async (admin) => {
        const metadata = await admin.topicMetadata(topics);
        const leaderless = metadata.flatMap((t) =>
          t.partitions
            .filter((p) => p.leader < 0 || p.errorCode !== 0)
            .map((p) => `${t.name}/${p.partition}`),
        );
        if (leaderless.length > 0)
          throw new UnavailableError(
            'kafka',
            `no leader yet for ${leaderless.length} partitions (${leaderless.slice(0, 3).join(', ')} ...)`,
          );
        for (const topic of topics) await admin.topicOffsets(topic);
      }),
    { what: 'waiting for the leaders of new partitions', logger, retries: 16 },
  );
}

/** Partition counts per topic, fetched on first use and refreshed every `refreshMs`. */
export class PartitionCounts {
  private readonly counts = new Map<string, { count: number; at: number }>();
  private readonly inFlight = new Map<string, Promise<number>>();

  constructor(
    private readonly kafka: KafkaClient,
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
      const metadata = await admin.topicMetadata([topic]);
      const count = metadata[0]?.partitions.length ?? 0;
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
