/**
 * Avro uploads (application/avro): an Avro object container file (what fastavro.writer,
 * avro-tools and avsc's BlockEncoder write), codec null or deflate, whose records are frames.
 * The writer schema travels in the file; records resolve into FRAME_UPLOAD_SCHEMA by Avro's
 * rules, so our own frame.v2.avsc works as is (frameId, ingestedAt and tenant are ignored: the
 * gateway and ingestion set them) and so does any record named io.simstream.v1.Frame with
 * step, simTime and fields. Longs are read as bigint so steps and shapes are exact.
 * Runs in the decode worker (decode-worker.ts): avsc is given only bytes the bounds pass
 * (avro-bounds.ts) has walked.
 */
import avro from 'avsc';
import { CODECS, DTYPES, type Codec, type DType } from '@simstream/contracts';
import type { FieldViolation } from '@simstream/errors';
import { minimumBytes, skipChecked } from './avro-bounds.js';
import { readBlocks, readHeader } from './avro-container.js';
import { readStep } from './steps.js';
import type { UploadLimits } from './limits.js';
import { invalidUpload, malformedAvro, tooManyFrames } from './upload-error.js';
import type { UploadFrame } from './upload-frame.js';

export const FRAME_UPLOAD_SCHEMA = {
  type: 'record',
  name: 'Frame',
  namespace: 'io.simstream.v1',
  fields: [
    { name: 'simulationId', type: ['null', 'string'], default: null },
    { name: 'step', type: 'long' },
    { name: 'simTime', type: 'double' },
    {
      name: 'fields',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Field',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'dtype', type: { type: 'enum', name: 'DType', symbols: [...DTYPES] } },
            { name: 'shape', type: { type: 'array', items: 'long' } },
            { name: 'codec', type: { type: 'enum', name: 'Codec', symbols: [...CODECS] }, default: 'none' },
            { name: 'data', type: 'bytes' },
          ],
        },
      },
    },
    { name: 'attributes', type: { type: 'map', values: 'string' }, default: {} },
  ],
} as const;

interface UploadRecord {
  simulationId: string | null;
  step: bigint;
  simTime: number;
  fields: { name: string; dtype: DType; shape: bigint[]; codec: Codec; data: Buffer }[];
  attributes: Record<string, string>;
}

/** long as bigint: avsc's default long rounds past 2^53, and a step must be exact or refused. */
const EXACT_LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (n: number | bigint) => BigInt(n),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});
const READER = avro.Type.forSchema(FRAME_UPLOAD_SCHEMA as unknown as avro.Schema, {
  registry: { long: EXACT_LONG },
});

function writerOf(meta: ReadonlyMap<string, Buffer>): { writer: avro.Type; resolver: avro.Resolver } {
  try {
    const writer = avro.Type.forSchema(
      JSON.parse(meta.get('avro.schema')?.toString() ?? 'null') as avro.Schema,
    );
    return { writer, resolver: READER.createResolver(writer) };
  } catch (error) {
    throw malformedAvro(
      `its schema cannot be read as io.simstream.v1.Frame: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`,
    );
  }
}

function shapeOf(dims: bigint[], field: string, violations: FieldViolation[]): number[] {
  const shape = dims.map(Number);
  if (dims.some((d) => d > BigInt(Number.MAX_SAFE_INTEGER) || d < -BigInt(Number.MAX_SAFE_INTEGER)))
    violations.push({ field, reason: 'SHAPE_INVALID', description: 'a dimension is beyond 2^53' });
  return shape;
}

export function avroFrames(
  body: Buffer,
  limits: Pick<UploadLimits, 'maxDecodedBytes' | 'maxFrames'>,
): UploadFrame[] {
  const header = readHeader(body);
  const codec = header.meta.get('avro.codec')?.toString() ?? 'null';
  if (codec !== 'null' && codec !== 'deflate')
    throw malformedAvro(`codec '${codec.slice(0, 30)}' (null and deflate are supported)`);
  const { writer, resolver } = writerOf(header.meta);
  const minRecord = Math.max(1, minimumBytes(writer));
  const frames: UploadFrame[] = [];
  const violations: FieldViolation[] = [];
  for (const block of readBlocks(body, header, codec, minRecord, limits.maxDecodedBytes)) {
    if (frames.length + block.count > limits.maxFrames) throw tooManyFrames(limits.maxFrames);
    let offset = 0;
    for (let i = 0; i < block.count; i++) {
      const end = skipChecked(writer, block.bytes, offset, block.bytes.length);
      let record: UploadRecord;
      try {
        record = READER.decode(block.bytes.subarray(0, end), offset, resolver).value as UploadRecord;
      } catch (error) {
        throw malformedAvro(
          `record ${frames.length}: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`,
        );
      }
      offset = end;
      const where = `body.records[${frames.length}]`;
      const step = readStep(record.step, `${where}.step`);
      if ('violation' in step) violations.push(step.violation);
      frames.push({
        step: 'step' in step ? step.step : -1,
        simTime: record.simTime,
        attributes: record.attributes,
        fields: record.fields.map((f, j) => ({
          ...f,
          shape: shapeOf(f.shape, `${where}.fields[${j}].shape`, violations),
        })),
        ...(record.simulationId === null ? {} : { simulationId: record.simulationId }),
      });
      if (violations.length >= 100) throw invalidUpload(violations);
    }
    if (offset !== block.bytes.length)
      throw malformedAvro(
        `block at byte ${block.at} has ${block.bytes.length - offset} bytes after its records`,
      );
  }
  if (violations.length > 0) throw invalidUpload(violations);
  return frames;
}
