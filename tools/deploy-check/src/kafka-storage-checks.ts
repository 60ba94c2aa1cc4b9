/**
 * Kafka disks cannot fill: for a built overlay, the most bytes every topic may keep (retention.bytes
 * plus the active segment, per partition replica, spread over the brokers) must stay under 70 % of
 * a broker's volume (the JBOD sum). A topic bounded by time only is refused: its size follows the
 * ingest rate, which nothing in the manifests bounds. The rest of the volume is headroom for the
 * internal topics, the log cleaner's copies and retention's check interval.
 */
import { COMPACTED_BYTES_ANNOTATION } from './kafka-topics.js';
import type { K8sObject } from './manifests.js';
import { arrayAt, at, stringAt } from './walk.js';

/** The share of a broker's volume the topics may fill at worst. */
export const MAX_DISK_SHARE = 0.7;
/** Kafka's log.segment.bytes default (a topic without segment.bytes rolls at this size). */
const DEFAULT_SEGMENT_BYTES = 1024 ** 3;

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
};

/** A Kubernetes quantity (500Gi, 1.5Ti, 100G) in bytes; undefined if it is not one. */
export function quantityBytes(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)$/.exec(String(value));
  const unit = m === null ? undefined : UNITS[m[2]!];
  return m === null || unit === undefined ? undefined : Number(m[1]) * unit;
}

export const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** One broker's volume: the sum of its JBOD volumes (or its single volume). */
function volumeBytes(storage: unknown, pool: string): { bytes?: number; problem?: string } {
  const volumes = stringAt(storage, 'type') === 'jbod' ? arrayAt(storage, 'volumes') : [storage];
  let bytes = 0;
  for (const v of volumes) {
    const type = stringAt(v, 'type');
    const size = quantityBytes(type === 'ephemeral' ? at(v, 'sizeLimit') : at(v, 'size'));
    if (size === undefined)
      return {
        problem: `KafkaNodePool ${pool}: a volume (type ${type ?? 'unknown'}) without a size (ephemeral needs sizeLimit), so its disk is not bounded`,
      };
    bytes += size;
  }
  return { bytes };
}

interface TopicLoad {
  readonly topic: string;
  readonly bytesPerBroker: number;
  readonly how: string;
}

/** Worst-case bytes per broker of one KafkaTopic, or the reason it has no bound. */
function topicLoad(t: K8sObject, brokers: number, brokerSegmentBytes: number): TopicLoad | string {
  const topic = stringAt(t, 'spec', 'topicName') ?? t.metadata.name;
  const partitions = Number(at(t, 'spec', 'partitions'));
  const replicas = Number(at(t, 'spec', 'replicas'));
  const config = (key: string) => stringAt(t, 'spec', 'config', key);
  const policies = (config('cleanup.policy') ?? 'delete').split(',').map((p) => p.trim());
  const segment = Number(config('segment.bytes') ?? brokerSegmentBytes);
  let kept: number;
  let keptHow: string;
  if (policies.includes('delete')) {
    const retention = Number(config('retention.bytes') ?? -1);
    if (!(retention > 0))
      return `KafkaTopic ${topic}: retention by time only (no retention.bytes), so its size is unbounded: set retention.bytes in libs/kafka/src/topics.ts`;
    kept = retention;
    keptHow = `${gib(retention)} retention.bytes`;
  } else {
    const estimate = Number(t.metadata.annotations?.[COMPACTED_BYTES_ANNOTATION] ?? NaN);
    if (!(estimate > 0))
      return `KafkaTopic ${topic}: compacted without a size bound (annotation ${COMPACTED_BYTES_ANNOTATION}, from compactedBytesPerPartition in the topic table)`;
    kept = estimate;
    keptHow = `${gib(estimate)} compacted`;
  }
  // Replicas spread evenly: the fullest broker holds the rounded-up share.
  const perBroker = Math.ceil((partitions * replicas) / brokers);
  return {
    topic,
    bytesPerBroker: perBroker * (kept + segment),
    how: `${partitions} partitions × RF ${replicas} ÷ ${brokers} brokers × (${keptHow} + ${gib(segment)} segment)`,
  };
}

/** The overlay's topics against its brokers' volumes; problems name the topics and numbers. */
export function checkKafkaStorage(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  const pools = objects.filter(
    (o) => o.kind === 'KafkaNodePool' && arrayAt(o, 'spec', 'roles').includes('broker'),
  );
  if (pools.length === 0) return [`${label}: no KafkaNodePool with the broker role`];
  let brokers = 0;
  let smallest = Infinity;
  for (const p of pools) {
    const v = volumeBytes(at(p, 'spec', 'storage'), p.metadata.name);
    if (v.problem !== undefined) problems.push(`${label}: ${v.problem}`);
    else smallest = Math.min(smallest, v.bytes!);
    brokers += Number(at(p, 'spec', 'replicas'));
  }
  if (problems.length > 0) return problems;
  const kafka = objects.find((o) => o.kind === 'Kafka');
  const brokerSegment = Number(
    stringAt(kafka, 'spec', 'kafka', 'config', 'log.segment.bytes') ?? DEFAULT_SEGMENT_BYTES,
  );
  const loads: TopicLoad[] = [];
  for (const t of objects.filter((o) => o.kind === 'KafkaTopic')) {
    const load = topicLoad(t, brokers, brokerSegment);
    if (typeof load === 'string') problems.push(`${label}: ${load}`);
    else loads.push(load);
  }
  const total = loads.reduce((sum, l) => sum + l.bytesPerBroker, 0);
  if (total > MAX_DISK_SHARE * smallest) {
    const detail = [...loads]
      .sort((a, b) => b.bytesPerBroker - a.bytesPerBroker)
      .map((l) => `${l.topic}: ${l.how} = ${gib(l.bytesPerBroker)}`)
      .join('; ');
    problems.push(
      `${label}: Kafka topics can hold ${gib(total)} per broker, ${Math.round((100 * total) / smallest)} % of the ${gib(smallest)} broker volume (at most ${MAX_DISK_SHARE * 100} %): ${detail}`,
    );
  }
  return problems;
}

/** Worst-case topic bytes per broker and the smallest broker volume (the docs' numbers). */
export function kafkaDiskUse(objects: readonly K8sObject[]): { perBroker: number; volume: number } {
  const pools = objects.filter(
    (o) => o.kind === 'KafkaNodePool' && arrayAt(o, 'spec', 'roles').includes('broker'),
  );
  const brokers = pools.reduce((n, p) => n + Number(at(p, 'spec', 'replicas')), 0);
  const volume = Math.min(...pools.map((p) => volumeBytes(at(p, 'spec', 'storage'), '').bytes ?? 0));
  const perBroker = objects
    .filter((o) => o.kind === 'KafkaTopic')
    .map((t) => topicLoad(t, brokers, DEFAULT_SEGMENT_BYTES))
    .reduce((sum, l) => sum + (typeof l === 'string' ? 0 : l.bytesPerBroker), 0);
  return { perBroker, volume };
}
