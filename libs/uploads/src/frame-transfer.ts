/**
 * Frames across the worker boundary without copying on the main thread: the worker packs all
 * field data into one ArrayBuffer (transferred, not cloned) and sends the rest as plain
 * objects; the main thread wraps views of that buffer. Unpacking is O(frames × fields).
 */
import type { UploadFrame } from './upload-frame.js';

interface PackedField extends Omit<UploadFrame['fields'][number], 'data'> {
  readonly offset: number;
  readonly length: number;
}

interface PackedFrame extends Omit<UploadFrame, 'fields'> {
  readonly fields: readonly PackedField[];
}

export interface PackedFrames {
  readonly frames: readonly PackedFrame[];
  readonly data: ArrayBuffer;
}

export function pack(frames: readonly UploadFrame[]): PackedFrames {
  let total = 0;
  for (const frame of frames) for (const f of frame.fields) total += f.data.length;
  const data = new Uint8Array(total);
  let offset = 0;
  const packed = frames.map((frame) => ({
    ...frame,
    fields: frame.fields.map(({ data: bytes, ...rest }) => {
      data.set(bytes, offset);
      offset += bytes.length;
      return { ...rest, shape: [...rest.shape], offset: offset - bytes.length, length: bytes.length };
    }),
  }));
  return { frames: packed, data: data.buffer };
}

export function unpack(packed: PackedFrames): UploadFrame[] {
  return packed.frames.map((frame) => ({
    ...frame,
    fields: frame.fields.map(({ offset, length, ...rest }) => ({
      ...rest,
      data: Buffer.from(packed.data, offset, length),
    })),
  }));
}
