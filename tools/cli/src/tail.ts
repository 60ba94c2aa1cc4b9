/**
 * `simstream tail`: reads a topic with the project's consumer (decoding, chunk reassembly) and
 * prints each record as one line: frames with per-field statistics, other records as JSON.
 */
import { randomUUID } from 'node:crypto';
import { RecordName, fieldArray, schemaRegistry, type Frame } from '@simstream/contracts';
import {
  RecordConsumer,
  createKafkaClient,
  setGroupOffsets,
  topicOffsets,
  type ConsumedRecord,
} from '@simstream/kafka';
import type { Logger } from '@simstream/observability';

export interface TailOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Start this many records before the end of each partition (0 = only new records). */
  readonly last: number;
  readonly fromBeginning: boolean;
  readonly simulationId?: string;
  readonly max?: number;
  readonly logger: Logger;
  readonly print: (line: string) => void;
  readonly signal?: AbortSignal;
}

function stats(values: ArrayLike<number | bigint>): string {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const fmt = (x: number) =>
    Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toFixed(4);
  return `min ${fmt(min)} max ${fmt(max)} mean ${fmt(sum / Math.max(1, values.length))}`;
}

export async function describeRecord(record: ConsumedRecord): Promise<string> {
  const where = `${record.topic}[${record.partition}]@${record.offset}`;
  if (record.name === RecordName.Frame) {
    const frame = record.value as Frame;
    const fields = await Promise.all(
      frame.fields.map(async (f) => {
        const shape = f.shape.join('×');
        const numeric = f.dtype !== 'float16' && f.dtype !== 'bool' ? ` ${stats(await fieldArray(f))}` : '';
        return `${f.name}:${f.dtype}[${shape}]${f.codec === 'none' ? '' : `/${f.codec}`} ${f.data.length}B${numeric}`;
      }),
    );
    return `${where} ${frame.simulationId} step ${frame.step} t=${frame.simTime.toFixed(3)} | ${fields.join(' | ')}`;
  }
  const value = JSON.stringify(record.value, (_k, v: unknown) =>
    Buffer.isBuffer(v) ? `<${v.length} bytes>` : v,
  );
  return `${where} ${record.name.split('.').pop()} ${value}`;
}

export async function tail(options: TailOptions): Promise<number> {
  const kafka = createKafkaClient({ brokers: options.brokers, clientId: 'simstream-cli' }, options.logger);
  const groupId = `simstream-cli-tail-${randomUUID()}`;
  const offsets = await topicOffsets(kafka, options.topic, { logger: options.logger });
  await setGroupOffsets(
    kafka,
    groupId,
    options.topic,
    new Map(
      offsets.map((p) => [
        p.partition,
        options.fromBeginning ? p.low : Math.max(p.low, p.high - options.last),
      ]),
    ),
    { logger: options.logger },
  );
  const consumer = new RecordConsumer({
    kafka,
    logger: options.logger,
    registry: schemaRegistry(),
    groupId,
    topics: [options.topic],
    name: 'cli',
  });
  let printed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  options.signal?.addEventListener('abort', () => done());
  await consumer.start(async (records) => {
    for (const record of records) {
      if (options.simulationId !== undefined && record.key !== options.simulationId) continue;
      if (options.max !== undefined && printed >= options.max) break;
      options.print(await describeRecord(record));
      printed++;
    }
    if (options.max !== undefined && printed >= options.max) done();
  });
  await finished;
  await consumer.stop();
  return printed;
}
