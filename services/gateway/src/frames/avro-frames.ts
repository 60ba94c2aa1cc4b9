/**
 * Avro uploads (application/avro): an Avro object container file (what fastavro.writer,
 * avro-tools and avsc's BlockEncoder write), codec null or deflate, whose records are frames.
 * The writer schema travels in the file; records resolve into FRAME_UPLOAD_SCHEMA by Avro's
 * rules, so our own frame.v2.avsc works as is (frameId, ingestedAt and tenant are ignored: the
 * gateway and ingestion set them) and so does any record named io.simstream.v1.Frame with
 * step, simTime and fields.
 */
import zlib from 'node:zlib';
import avro from 'avsc';
import { CODECS, DTYPES, type Codec, type DType } from '@simstream/contracts';
import { HttpError } from '../problem.js';
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
            {
              name: 'dtype',
              type: {
                type: 'enum',
                name: 'DType',
                symbols: [...DTYPES],
              },
            },
            { name: 'shape', type: { type: 'array', items: 'long' } },
            {
              name: 'codec',
              type: { type: 'enum', name: 'Codec', symbols: [...CODECS] },
              default: 'none',
            },
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
  step: number;
  simTime: number;
  fields: { name: string; dtype: DType; shape: number[]; codec: Codec; data: Buffer }[];
  attributes: Record<string, string>;
}

const MAGIC = Buffer.from('Obj\x01', 'latin1');
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const LONG = avro.Type.forSchema('long');
const READER = avro.Type.forSchema(FRAME_UPLOAD_SCHEMA as unknown as avro.Schema);

function malformed(message: string): HttpError {
  return new HttpError(
    400,
    'MALFORMED_AVRO',
    `body is not an Avro object container file of frames: ${message}`,
  );
}

function readLong(buf: Buffer, pos: number, what: string): { value: number; offset: number } {
  const decoded = LONG.decode(buf, pos);
  const value = decoded.value as number;
  const offset = decoded.offset;
  if (offset < 0) throw malformed(`truncated ${what} at byte ${pos}`);
  return { value, offset };
}

export function avroFrames(body: Buffer, maxDecodedBytes: number): UploadFrame[] {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw malformed("no 'Obj\\x01' magic");
  const header: { value: { meta: Record<string, Buffer>; sync: Buffer }; offset: number } = HEADER.decode(
    body,
    0,
  );
  if (header.offset < 0) throw malformed('truncated header');
  const { meta, sync } = header.value;
  const codec = meta['avro.codec']?.toString() ?? 'null';
  if (codec !== 'null' && codec !== 'deflate')
    throw malformed(`codec '${codec}' (null and deflate are supported)`);
  let writer: avro.Type;
  let resolver: avro.Resolver;
  try {
    writer = avro.Type.forSchema(JSON.parse(meta['avro.schema']?.toString() ?? 'null') as avro.Schema);
    resolver = READER.createResolver(writer);
  } catch (error) {
    throw malformed(
      `its schema cannot be read as io.simstream.v1.Frame: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const frames: UploadFrame[] = [];
  let decodedBytes = 0;
  let pos = header.offset;
  while (pos < body.length) {
    const count = readLong(body, pos, 'block count');
    const size = readLong(body, count.offset, 'block size');
    const start = size.offset;
    const end = start + size.value;
    if (count.value < 0 || size.value < 0 || end + 16 > body.length)
      throw malformed(`truncated block at byte ${pos}`);
    if (!body.subarray(end, end + 16).equals(sync))
      throw malformed(`bad sync marker after the block at byte ${pos}`);
    let block = body.subarray(start, end);
    if (codec === 'deflate') {
      try {
        // Bounded like every other decoded upload: a small file must not inflate without limit.
        block = zlib.inflateRawSync(block, { maxOutputLength: Math.max(1, maxDecodedBytes - decodedBytes) });
      } catch (error) {
        throw malformed(
          `deflate block at byte ${pos}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      decodedBytes += block.length;
    }
    let offset = 0;
    for (let i = 0; i < count.value; i++) {
      let decoded: { value: UploadRecord; offset: number };
      try {
        decoded = READER.decode(block, offset, resolver);
      } catch (error) {
        throw malformed(`record ${frames.length}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (decoded.offset < 0) throw malformed(`record ${frames.length} is truncated`);
      offset = decoded.offset;
      const r = decoded.value;
      frames.push({
        step: r.step,
        simTime: r.simTime,
        attributes: r.attributes,
        fields: r.fields,
        ...(r.simulationId === null ? {} : { simulationId: r.simulationId }),
      });
    }
    if (offset !== block.length)
      throw malformed(`block at byte ${pos} has ${block.length - offset} bytes after its records`);
    pos = end + 16;
  }
  return frames;
}
