/**
 * The framing of an Avro object container file, read with bounds: magic, the metadata map,
 * the sync marker, then blocks of (count, size, bytes, sync). Deflate blocks inflate through a
 * capped path (zlib's maxOutputLength), so a small body cannot grow past the client's decoded
 * limit, and the answer quotes that limit, never the size zlib reached.
 */
import zlib from 'node:zlib';
import { decodedTooLarge, malformedAvro } from './upload-error.js';
import { readBounded, readLong } from './avro-varint.js';

const MAGIC = Buffer.from('Obj\x01', 'latin1');
const SYNC_BYTES = 16;

export interface ContainerHeader {
  readonly meta: ReadonlyMap<string, Buffer>;
  readonly sync: Buffer;
  /** Where the first block starts. */
  readonly offset: number;
}

export function readHeader(body: Buffer): ContainerHeader {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw malformedAvro("no 'Obj\\x01' magic");
  const meta = new Map<string, Buffer>();
  let pos = 4;
  for (;;) {
    const block = readLong(body, pos, body.length, 'metadata block count');
    pos = block.next;
    if (block.value === 0) break;
    if (block.value < 0) pos = readBounded(body, pos, body.length, 1, 'metadata block size').next;
    const count = Math.abs(block.value);
    // Each entry is a key length and a value length: two bytes at least.
    if (count * 2 > body.length - pos)
      throw malformedAvro(
        `metadata block at byte ${pos} counts ${count} entries in ${body.length - pos} bytes`,
      );
    for (let i = 0; i < count; i++) {
      const key = readBounded(body, pos, body.length, 1, 'metadata key length');
      const value = readBounded(body, key.next + key.value, body.length, 1, 'metadata value length');
      meta.set(
        body.toString('utf8', key.next, key.next + key.value),
        body.subarray(value.next, value.next + value.value),
      );
      pos = value.next + value.value;
    }
  }
  if (pos + SYNC_BYTES > body.length) throw malformedAvro('truncated header (no sync marker)');
  return { meta, sync: body.subarray(pos, pos + SYNC_BYTES), offset: pos + SYNC_BYTES };
}

export interface ContainerBlock {
  readonly count: number;
  readonly bytes: Buffer;
  /** Where the block starts in the body, for messages. */
  readonly at: number;
}

/**
 * The blocks after the header, decompressed. `minRecordBytes` (≥ 1) bounds each block's count
 * by its bytes before anything loops over it.
 */
export function* readBlocks(
  body: Buffer,
  header: ContainerHeader,
  codec: 'null' | 'deflate',
  minRecordBytes: number,
  maxDecodedBytes: number,
): Generator<ContainerBlock> {
  let decoded = 0;
  let pos = header.offset;
  while (pos < body.length) {
    const count = readLong(body, pos, body.length, 'block count');
    const size = readBounded(body, count.next, body.length, 1, 'block size');
    const start = size.next;
    const end = start + size.value;
    if (count.value < 0 || end + SYNC_BYTES > body.length)
      throw malformedAvro(`truncated block at byte ${pos}`);
    if (!body.subarray(end, end + SYNC_BYTES).equals(header.sync))
      throw malformedAvro(`bad sync marker after the block at byte ${pos}`);
    let bytes = body.subarray(start, end);
    if (codec === 'deflate') bytes = inflateCapped(bytes, maxDecodedBytes - decoded, maxDecodedBytes, pos);
    decoded += bytes.length;
    if (decoded > maxDecodedBytes) throw decodedTooLarge(maxDecodedBytes);
    if (count.value * minRecordBytes > bytes.length)
      throw malformedAvro(`block at byte ${pos} counts ${count.value} records in ${bytes.length} bytes`);
    yield { count: count.value, bytes, at: pos };
    pos = end + SYNC_BYTES;
  }
}

function inflateCapped(block: Buffer, room: number, limit: number, at: number): Buffer {
  try {
    // One byte over the room tells "too large" apart from "exactly at the limit".
    return zlib.inflateRawSync(block, { maxOutputLength: Math.max(1, room + 1) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw decodedTooLarge(limit);
    throw malformedAvro(`deflate block at byte ${at} does not inflate`);
  }
}
