/**
 * Arrow IPC stream export of results (apache-arrow): a fixed schema per kind (step, sim_time,
 * produced_at as timestamp[ms, UTC], score, then the kind's own columns; frames get
 * `<field>_min/_max/_mean/_std/_l2` for the fields of the first page), one record batch per
 * page read, bytes handed on in chunks. Backpressure end to end: the next page is read only
 * once the previous batch's bytes went out, so memory stays at about one batch.
 *
 * Each batch is encoded synchronously into bytes we own, with no stream in between: apache-arrow's
 * Node duplex (`RecordBatchStreamWriter.throughNode()`) ignores a `_read` that arrives while its
 * previous pull is still settling, and a consumer that takes chunks as fast as they come (a gRPC
 * stream with room in its buffer) then never gets another byte.
 */
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

/** The end-of-stream marker of the IPC stream format: continuation token, zero length. */
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * The IPC stream bytes of one batch, after the schema message unless `withSchema`. A stream of
 * one batch is [schema message][batch message][end-of-stream]; the schema message has no body,
 * so it is its 8-byte prefix (continuation token, metadata length with padding) plus the
 * metadata. Our columns have no dictionaries, so no dictionary batch sits in between.
 */
export function encodeBatch(batch: RecordBatch, withSchema: boolean): Uint8Array {
  const stream = RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  const from = withSchema ? 0 : 8 + view.getInt32(4, true);
  return stream.subarray(from, stream.byteLength - END_OF_STREAM.byteLength);
}

export interface ExportOptions {
  readonly kind: QueryKind;
  /** Pages of rows in step order. */
  readonly pages: AsyncIterable<ResultRecord[]>;
  /** Sends bytes on; resolves when the client can take more (its backpressure). */
  readonly send: (bytes: Buffer) => Promise<void>;
  readonly maxChunkBytes?: number;
}

/** The default message size: small enough that the 16 messages gRPC buffers stay about 1 MiB. */
export const EXPORT_CHUNK_BYTES = 64 * 1024;

/** Writes the whole IPC stream (schema, batches, end marker); returns the rows written. */
export async function exportArrow(options: ExportOptions): Promise<number> {
  const maxChunk = options.maxChunkBytes ?? EXPORT_CHUNK_BYTES;
  const send = async (bytes: Uint8Array) => {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at < buffer.length; at += maxChunk)
      await options.send(buffer.subarray(at, at + maxChunk));
  };
  let rows = 0;
  let columns: Column[] | undefined;
  let schema: Schema | undefined;
  for await (const page of options.pages) {
    if (page.length === 0) continue;
    const first = columns === undefined;
    columns ??= exportColumns(options.kind, page);
    schema ??= new Schema(columns.map((c) => c.field));
    await send(encodeBatch(recordBatch(schema, columns, page), first));
    rows += page.length;
  }
  if (rows === 0) {
    // No rows still makes a readable stream: the schema and one empty batch.
    const empty = exportColumns(options.kind, []);
    await send(encodeBatch(recordBatch(new Schema(empty.map((c) => c.field)), empty, []), true));
  }
  await send(END_OF_STREAM);
  return rows;
}
