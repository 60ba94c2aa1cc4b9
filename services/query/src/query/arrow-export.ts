/**
 * Arrow IPC stream export of results (apache-arrow): a fixed schema per kind (step, sim_time,
 * produced_at as timestamp[ms, UTC], score, then the kind's own columns; frames get
 * `<field>_min/_max/_mean/_std/_l2` for the fields of the first page), one record batch per
 * page read, bytes handed on in chunks. Backpressure end to end: the next page is read only
 * once the previous batch's bytes went out, so memory stays at about one batch.
 */
import { once } from 'node:events';
import {
  Bool,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import type { QueryKind, ResultRecord } from './store.js';

interface Column {
  readonly field: Field;
  data(rows: readonly ResultRecord[]): Data;
}

type Get<T> = (r: ResultRecord) => T;

const num = (x: unknown): number | null => (typeof x === 'number' ? x : null);
const p = (key: string) => (r: ResultRecord) => r.payload[key];

function column<T extends DataType>(name: string, type: T, get: Get<unknown>): Column {
  return {
    field: new Field(name, type, true),
    data: (rows) => {
      const vector = vectorFromArray(rows.map(get) as never[], type);
      return vector.data[0] ?? vectorFromArray([] as never[], type).data[0]!;
    },
  };
}

const f64 = (name: string, get: Get<unknown>) => column(name, new Float64(), (r) => num(get(r)));
const i32 = (name: string, get: Get<unknown>) => column(name, new Int32(), (r) => num(get(r)));
const i64 = (name: string, get: Get<unknown>) =>
  column(name, new Int64(), (r) => {
    const x = num(get(r));
    return x === null ? null : BigInt(Math.trunc(x));
  });
const utf8 = (name: string, get: Get<unknown>) =>
  column(name, new Utf8(), (r) => {
    const x = get(r);
    return typeof x === 'string' ? x : null;
  });
const bool = (name: string, get: Get<unknown>) =>
  column(name, new Bool(), (r) => {
    const x = get(r);
    return typeof x === 'boolean' ? x : null;
  });

const COMMON: Column[] = [
  i64('step', (r) => r.step),
  f64('sim_time', (r) => r.simTime),
  column('produced_at', new TimestampMillisecond('UTC'), (r) => r.producedAtMs),
  f64('score', (r) => r.score),
];

const NEUROMORPHIC: Column[] = [
  f64('anomaly_score', p('anomalyScore')),
  f64('raw_score', p('rawScore')),
  f64('spike_rate', p('spikeRate')),
  i32('pattern_id', p('patternId')),
  f64('novelty', p('novelty')),
  f64('processing_ms', p('processingMs')),
  utf8('backend', p('backend')),
  utf8('model', p('model')),
];

const QUANTUM: Column[] = [
  f64('energy', p('energy')),
  f64('cut', p('cut')),
  f64('imbalance', p('imbalance')),
  utf8('solver', p('solver')),
  utf8('backend', p('backend')),
  i32('variables', p('variables')),
  i32('reads', p('reads')),
  i64('sweeps', p('sweeps')),
  f64('time_to_best_ms', p('timeToBestMs')),
  f64('total_ms', p('totalMs')),
  utf8('stopped_by', p('stoppedBy')),
  bool('cached', p('cached')),
  utf8('problem_hash', p('problemHash')),
  i64('trigger_step', p('triggerStep')),
];

type FieldJson = Record<string, unknown>;
const fieldsOf = (r: ResultRecord): FieldJson[] =>
  Array.isArray(r.payload.fields) ? (r.payload.fields as FieldJson[]) : [];

function frameColumns(first: readonly ResultRecord[]): Column[] {
  const names = first[0] === undefined ? [] : fieldsOf(first[0]).map((f) => String(f.name));
  const stat = (name: string, stat: string) =>
    f64(`${name}_${stat}`, (r) => fieldsOf(r).find((f) => f.name === name)?.[stat]);
  return [
    utf8('frame_id', p('frameId')),
    i64('bytes', p('bytes')),
    ...names.flatMap((name) => ['min', 'max', 'mean', 'std', 'l2'].map((s) => stat(name, s))),
  ];
}

/** The columns of an export of `kind` (frames: named after the first page's fields). */
export function exportColumns(kind: QueryKind, firstPage: readonly ResultRecord[]): Column[] {
  const own = kind === 'neuromorphic' ? NEUROMORPHIC : kind === 'quantum' ? QUANTUM : frameColumns(firstPage);
  return [...COMMON, ...own];
}

export function recordBatch(
  schema: Schema,
  columns: readonly Column[],
  rows: readonly ResultRecord[],
): RecordBatch {
  const children = columns.map((c) => c.data(rows));
  const data = makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

export interface ExportOptions {
  readonly kind: QueryKind;
  /** Pages of rows in step order. */
  readonly pages: AsyncIterable<ResultRecord[]>;
  /** Sends bytes on (resolves when the client can take more). */
  readonly send: (bytes: Buffer) => Promise<void>;
  readonly maxChunkBytes?: number;
}

/** Writes the whole IPC stream (schema, batches, end marker); returns the rows written. */
export async function exportArrow(options: ExportOptions): Promise<number> {
  const maxChunk = options.maxChunkBytes ?? 1024 * 1024;
  const writer = RecordBatchStreamWriter.throughNode();
  const sending = (async () => {
    for await (const chunk of writer as AsyncIterable<Uint8Array>) {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (let at = 0; at < bytes.length; at += maxChunk)
        await options.send(bytes.subarray(at, at + maxChunk));
    }
  })();
  sending.catch(() => undefined); // awaited below; raced while writing
  const write = async (batch: RecordBatch) => {
    if (!writer.write(batch)) await Promise.race([once(writer, 'drain'), sending]);
  };
  let rows = 0;
  try {
    let columns: Column[] | undefined;
    let schema: Schema | undefined;
    for await (const page of options.pages) {
      if (page.length === 0) continue;
      columns ??= exportColumns(options.kind, page);
      schema ??= new Schema(columns.map((c) => c.field));
      await write(recordBatch(schema, columns, page));
      rows += page.length;
    }
    if (rows === 0) {
      // No rows still makes a readable stream: the schema and one empty batch.
      const empty = exportColumns(options.kind, []);
      await write(recordBatch(new Schema(empty.map((c) => c.field)), empty, []));
    }
    writer.end();
  } catch (error) {
    writer.destroy(error as Error);
    throw error;
  }
  await sending;
  return rows;
}
