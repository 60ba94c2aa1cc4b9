/**
 * How a batch of records becomes produce requests: pure functions, no Kafka. Coalescing (only
 * the last record of a coalesce key is written; the others share its delivery), splitting into
 * requests under the per-partition and per-request limits, and mapping the base offsets a
 * transport reports back to each record.
 */
import { SimstreamError } from '@simstream/errors';
import type { PartitionBaseOffset } from './producer-transport.js';

export interface OutRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string | Buffer>>;
  /** Chosen from the key (Kafka's default partitioner) when absent. */
  readonly partition?: number;
  /**
   * Records with the same coalesce key in one batch are written once: only the last (e.g. the
   * newest progress record of a simulation). The others get the delivery of the one written.
   */
  readonly coalesce?: string;
}

export interface Delivery {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const RECORD_OVERHEAD = 64;
/** Below the broker's socket.request.max.bytes (100 MiB by default). */
export const MAX_REQUEST_BYTES = 48 * 1024 * 1024;

/** A record's size on the wire, roughly (value, key, headers and a fixed overhead). */
export function recordBytes(r: OutRecord): number {
  let bytes = r.value.length + Buffer.byteLength(r.key) + RECORD_OVERHEAD;
  for (const [k, v] of Object.entries(r.headers ?? {}))
    bytes += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  return bytes;
}

/**
 * The records to write (the last of each coalesce key, everything else), and `expand`, which
 * turns their deliveries back into one delivery per input record.
 */
export function coalesce<R extends OutRecord>(
  all: readonly R[],
): { records: R[]; expand: (deliveries: Delivery[]) => Delivery[] } {
  const last = new Map<string, number>();
  all.forEach((r, i) => r.coalesce !== undefined && last.set(r.coalesce, i));
  const written = all.flatMap((r, i) => (r.coalesce === undefined || last.get(r.coalesce) === i ? [i] : []));
  if (written.length === all.length) return { records: [...all], expand: (d) => d };
  return {
    records: written.map((i) => all[i]!),
    expand: (deliveries) => {
      const byIndex = new Map(written.map((i, k) => [i, deliveries[k]!]));
      return all.map((r, i) => byIndex.get(i) ?? byIndex.get(last.get(r.coalesce!)!)!);
    },
  };
}

/**
 * Splits record indexes, in order, into requests: a new request starts when a record would
 * take its partition past the per-partition limit (the topic's max.message.bytes applies to a
 * partition's record batch) or the request past `maxRequestBytes`.
 */
export function planRequests(
  records: readonly (OutRecord & { partition: number })[],
  maxPartitionBytes: (topic: string) => number,
  maxRequestBytes = MAX_REQUEST_BYTES,
): number[][] {
  const requests: number[][] = [];
  let current: number[] = [];
  let used = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const slot = `${r.topic}/${r.partition}`;
    const size = recordBytes(r);
    if (
      current.length > 0 &&
      ((used.get(slot) ?? 0) + size > maxPartitionBytes(r.topic) || total + size > maxRequestBytes)
    ) {
      requests.push(current);
      current = [];
      used = new Map();
      total = 0;
    }
    current.push(i);
    used.set(slot, (used.get(slot) ?? 0) + size);
    total += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** A request's record indexes by topic, in order. */
export function groupByTopic(
  request: readonly number[],
  records: readonly OutRecord[],
): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const i of request) {
    const topic = records[i]!.topic;
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [i]);
    else list.push(i);
  }
  return byTopic;
}

/**
 * A request's record indexes by partition (topic and partition), in order. A transactional
 * producer sends each partition on its own: one kafkajs `sendBatch` then talks to one broker.
 * With several brokers in one call, kafkajs retries a failed broker's part while another
 * broker's part is still in flight, and then sends that part a second time with new sequence
 * numbers: duplicates inside the transaction that the broker cannot drop (seen on a 3-broker
 * cluster, `./dev test:chaos`).
 */
export function splitByPartition(
  request: readonly number[],
  records: readonly (OutRecord & { partition: number })[],
): number[][] {
  const byPartition = new Map<string, number[]>();
  for (const i of request) {
    const r = records[i]!;
    const slot = `${r.topic}\u0000${r.partition}`;
    const list = byPartition.get(slot);
    if (list === undefined) byPartition.set(slot, [i]);
    else list.push(i);
  }
  return [...byPartition.values()];
}

/**
 * What a transactional producer sends: one lane per partition, each lane that partition's parts
 * of the requests in order (one kafkajs call each, see splitByPartition). Lanes may run in
 * parallel; a lane's parts must go one after the other, in the records' order.
 */
export function partitionLanes(
  requests: readonly (readonly number[])[],
  records: readonly (OutRecord & { partition: number })[],
): number[][][] {
  const lanes = new Map<string, number[][]>();
  for (const part of requests.flatMap((r) => splitByPartition(r, records))) {
    const first = records[part[0]!]!;
    const lane = `${first.topic}\u0000${first.partition}`;
    const parts = lanes.get(lane);
    if (parts === undefined) lanes.set(lane, [part]);
    else parts.push(part);
  }
  return [...lanes.values()];
}

/** A transport reports a base offset per partition; records of a partition follow it in order. */
export function assignOffsets(
  metadata: readonly PartitionBaseOffset[],
  request: readonly number[],
  records: readonly (OutRecord & { partition: number })[],
  deliveries: Delivery[],
): void {
  const next = new Map<string, number>();
  for (const m of metadata) {
    if (m.baseOffset === undefined)
      throw new SimstreamError('KAFKA_NO_OFFSET', `no offset for ${m.topic}/${m.partition}`);
    next.set(`${m.topic}/${m.partition}`, m.baseOffset);
  }
  for (const i of request) {
    const r = records[i]!;
    const slot = `${r.topic}/${r.partition}`;
    const offset = next.get(slot);
    if (offset === undefined) throw new SimstreamError('KAFKA_NO_OFFSET', `no offset for ${slot}`);
    deliveries[i] = { topic: r.topic, partition: r.partition, offset };
    next.set(slot, offset + 1);
  }
}
