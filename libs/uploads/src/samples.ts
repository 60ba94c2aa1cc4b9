/**
 * Valid upload bodies for tests, the fuzzer's seeds and the benchmark (package export
 * `@simstream/uploads/samples`): Arrow IPC streams and Avro container files of frames.
 */
import zlib from 'node:zlib';
import avro from 'avsc';
import {
  Binary,
  Field,
  Float64,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  makeData,
  tableToIPC,
  vectorFromArray,
  type DataType,
} from 'apache-arrow';
import { loadSchema } from '@simstream/contracts';

export function arrowTable(columns: { field: Field; values: unknown[] }[]): Buffer {
  const schema = new Schema(columns.map((c) => c.field));
  const length = columns[0]!.values.length;
  const children = columns.map((c) => vectorFromArray(c.values as never, c.field.type as DataType).data[0]!);
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length, children, nullCount: 0 }),
  );
  return Buffer.from(tableToIPC(new Table(schema, [batch]), 'stream'));
}

/** `rows` frames with one float32 field of `floatsPerRow` values, steps from `firstStep`. */
export function sampleArrow(rows: number, floatsPerRow: number, firstStep: bigint = 0n): Buffer {
  const data = Array.from(
    { length: rows },
    (_, r) => new Uint8Array(new Float32Array(floatsPerRow).fill(r).buffer),
  );
  return arrowTable([
    {
      field: new Field('step', new Int64()),
      values: Array.from({ length: rows }, (_, r) => firstStep + BigInt(r)),
    },
    { field: new Field('sim_time', new Float64()), values: Array.from({ length: rows }, (_, r) => r / 10) },
    {
      field: new Field(
        'u',
        new Binary(),
        true,
        new Map([
          ['dtype', 'float32'],
          ['shape', `[${floatsPerRow}]`],
        ]),
      ),
      values: data,
    },
  ]);
}

/** An Avro object container file of `records` under `schema`, written synchronously. */
export function avroContainer(
  schema: avro.Schema,
  records: unknown[],
  codec: 'null' | 'deflate' = 'null',
): Buffer {
  const type = avro.Type.forSchema(schema);
  const sync = Buffer.alloc(16, 7);
  const meta = avro.Type.forSchema({ type: 'map', values: 'bytes' }).toBuffer({
    'avro.schema': Buffer.from(JSON.stringify(schema)),
    'avro.codec': Buffer.from(codec),
  });
  const long = avro.Type.forSchema('long');
  const parts: Buffer[] = [Buffer.from('Obj\x01', 'latin1'), meta, sync];
  // One block per 64 records, as writers do.
  for (let i = 0; i < records.length; i += 64) {
    const chunk = records.slice(i, i + 64);
    let bytes = Buffer.concat(chunk.map((r) => type.toBuffer(r)));
    if (codec === 'deflate') bytes = zlib.deflateRawSync(bytes);
    parts.push(long.toBuffer(chunk.length), long.toBuffer(bytes.length), bytes, sync);
  }
  return Buffer.concat(parts);
}

/** `rows` frame.v2 records with one float32 field of `floatsPerRow` values. */
export function sampleAvro(
  rows: number,
  floatsPerRow: number,
  options: { codec?: 'null' | 'deflate'; firstStep?: number } = {},
): Buffer {
  const records = Array.from({ length: rows }, (_, r) => ({
    frameId: `f${r}`,
    simulationId: 'sample',
    step: (options.firstStep ?? 0) + r,
    simTime: r / 10,
    fields: [
      {
        name: 'u',
        dtype: 'float32',
        shape: [floatsPerRow],
        codec: 'none',
        data: Buffer.from(new Float32Array(floatsPerRow).fill(r).buffer),
      },
    ],
    attributes: {},
    ingestedAt: 0,
    tenant: 't',
  }));
  return avroContainer(loadSchema('frame.v2.avsc'), records, options.codec ?? 'null');
}

/**
 * A valid Avro container whose one deflate block inflates to `inflatedBytes` of zeros (200 MiB
 * from ~205 KB by default): finding 6 of the security review, for tests and the benchmark.
 */
export function deflateBomb(inflatedBytes = 200 * 2 ** 20): Buffer {
  const valid = sampleAvro(1, 1, { codec: 'deflate' });
  const sync = valid.subarray(valid.length - 16);
  const header = valid.subarray(0, valid.indexOf(sync) + 16);
  const bomb = zlib.deflateRawSync(Buffer.alloc(inflatedBytes), { level: 9 });
  const zigzagVarint = (n: number): Buffer => {
    const out: number[] = [];
    for (let v = n * 2; ; v = Math.floor(v / 128)) {
      if (v < 128) return Buffer.from([...out, v]);
      out.push((v % 128) | 128);
    }
  };
  return Buffer.concat([header, zigzagVarint(1), zigzagVarint(bomb.length), bomb, sync]);
}
