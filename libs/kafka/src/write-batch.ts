/**
 * One try at writing a batch of records through a producer transport: partitions chosen from the
 * keys, coalesced, split into requests that respect the per-partition limits, sent (inside one
 * transaction when transactional, aborted on failure) and mapped back to one delivery per record.
 * The batching producer (producer.ts) decides what to do when a try fails.
 */
import { SimstreamError, messageOf } from '@simstream/errors';
import type { PartitionCounts } from './admin.js';
import { partitionForKey } from './partitioner.js';
import {
  assignOffsets,
  coalesce,
  partitionLanes,
  planRequests,
  type Delivery,
  type OutRecord,
} from './produce-plan.js';
import type { ProducerTransport, TransportTransaction } from './producer-transport.js';

export interface WriteBatchOptions {
  readonly transactional: boolean;
  readonly partitions: PartitionCounts;
  /** Largest record batch per partition per request. */
  readonly maxPartitionBytes: (topic: string) => number;
}

export async function writeBatch(
  producer: ProducerTransport,
  batch: readonly OutRecord[],
  options: WriteBatchOptions,
): Promise<Delivery[]> {
  const all = await place(batch, options.partitions);
  const { records, expand } = coalesce(all);
  const requests = planRequests(records, options.maxPartitionBytes);
  const deliveries: Delivery[] = new Array<Delivery>(records.length);
  let txn: TransportTransaction | undefined;
  try {
    if (options.transactional) txn = await producer.begin();
    const send = async (request: number[]) => {
      const part = request.map((i) => records[i]!);
      const sent = txn === undefined ? producer.send(part) : txn.send(part);
      assignOffsets(await sent, request, records, deliveries);
    };
    if (txn === undefined || !producer.parallelPartitionSends) {
      for (const request of requests) await send(request);
    } else {
      // One call per partition (one broker each), partitions in parallel. Settled, not
      // raced: a failed lane must not leave another still writing while we abort.
      const outcomes = await Promise.allSettled(
        partitionLanes(requests, records).map(async (parts) => {
          for (const part of parts) await send(part);
        }),
      );
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }
    if (txn !== undefined) await txn.commit();
  } catch (error) {
    if (txn?.active) {
      try {
        await txn.abort();
      } catch (abortError) {
        throw new AbortFailedError(error, abortError);
      }
    }
    throw error;
  }
  return expand(deliveries);
}

/** Chooses each record's partition from its key (Kafka's default partitioner) unless given. */
async function place(
  records: readonly OutRecord[],
  partitions: PartitionCounts,
): Promise<(OutRecord & { partition: number })[]> {
  const counts = new Map<string, number>();
  for (const r of records)
    if (r.partition === undefined && !counts.has(r.topic)) counts.set(r.topic, await partitions.of(r.topic));
  return records.map((r) =>
    r.partition === undefined
      ? { ...r, partition: partitionForKey(r.key, counts.get(r.topic)!) }
      : (r as OutRecord & { partition: number }),
  );
}

/** A failed transaction that could not be aborted: the producer's state is unknown. */
export class AbortFailedError extends SimstreamError {
  constructor(error: unknown, abortError: unknown) {
    super('KAFKA_TIMEOUT', `${messageOf(error)} (and the abort failed: ${messageOf(abortError)})`, {
      retriable: true,
      cause: error,
    });
  }
}
