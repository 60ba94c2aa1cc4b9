/**
 * Frames as users build them (typed arrays, wire names), and their protobuf form.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { codecToProto, dtypeToProto, type Codec, type DType, type ProtoFrame } from '@simstream/contracts';

const deflate = promisify(zlib.deflate);
const gzip = promisify(zlib.gzip);

export interface ClientField {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** The array, little-endian (any typed array or Buffer). */
  readonly data: ArrayBufferView;
  /** Compress before sending (costs client CPU, saves bandwidth and Kafka space). */
  readonly codec?: Codec;
}

export interface ClientFrame {
  readonly step: number;
  readonly simTime?: number;
  readonly fields: readonly ClientField[];
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A frame ready to send: protobuf shape, own copy of the bytes (resends must not see later changes). */
export interface PreparedFrame {
  readonly step: number;
  readonly bytes: number;
  readonly message: ProtoFrame;
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Converts and copies (or compresses, which copies too) the frame's arrays, so the caller may
 * reuse its buffers as soon as this resolves.
 */
export async function prepareFrame(simulationId: string, frame: ClientFrame): Promise<PreparedFrame> {
  let total = 0;
  const fields = await Promise.all(
    frame.fields.map(async (field) => {
      const raw = bytesOf(field.data);
      const codec = field.codec ?? 'none';
      const data =
        codec === 'deflate' ? await deflate(raw) : codec === 'gzip' ? await gzip(raw) : Buffer.from(raw);
      total += data.length;
      return {
        name: field.name,
        dtype: dtypeToProto(field.dtype),
        shape: [...field.shape],
        codec: codecToProto(codec),
        data,
      };
    }),
  );
  return {
    step: frame.step,
    bytes: total,
    message: {
      simulationId,
      step: frame.step,
      simTime: frame.simTime ?? frame.step,
      fields: fields as ProtoFrame['fields'],
      attributes: { ...(frame.attributes ?? {}) },
    },
  };
}
