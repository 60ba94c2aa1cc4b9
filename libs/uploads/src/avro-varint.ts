/**
 * Avro's zig-zag varint longs read with bounds: a count or length is only ever used after it
 * is known to be a safe integer that ends inside the buffer. avsc's Tap reads past the end
 * (undefined bytes) and loops on whatever count it read; this never does.
 */
import { malformedAvro } from './upload-error.js';

export interface Read<T> {
  readonly value: T;
  readonly next: number;
}

/** A long at `pos`, exact as a bigint (a varint is at most 10 bytes). */
export function readBigLong(buf: Uint8Array, pos: number, end: number, what: string): Read<bigint> {
  let raw = 0n;
  let shift = 0n;
  for (let i = pos; i < end && i < pos + 10; i++) {
    const b = buf[i]!;
    raw |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) {
      raw &= (1n << 64n) - 1n;
      const value = raw & 1n ? -(raw >> 1n) - 1n : raw >> 1n;
      return { value, next: i + 1 };
    }
  }
  throw malformedAvro(`${what} at byte ${pos} is truncated or longer than 10 bytes`);
}

/** A long that must be a safe integer (counts, sizes, indexes). */
export function readLong(buf: Uint8Array, pos: number, end: number, what: string): Read<number> {
  // Fast path: one or two bytes cover every small count and length.
  const b0 = buf[pos];
  if (b0 !== undefined && pos < end && (b0 & 0x80) === 0)
    return { value: b0 & 1 ? -(b0 >> 1) - 1 : b0 >> 1, next: pos + 1 };
  const { value, next } = readBigLong(buf, pos, end, what);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER))
    throw malformedAvro(`${what} at byte ${pos} is ${value}, out of range`);
  return { value: Number(value), next };
}

/** A length or count that must be ≥ 0 and, at `unit` bytes each at least, fit in what is left. */
export function readBounded(
  buf: Uint8Array,
  pos: number,
  end: number,
  unit: number,
  what: string,
): Read<number> {
  const r = readLong(buf, pos, end, what);
  if (r.value < 0 || r.value * unit > end - r.next)
    throw malformedAvro(
      `${what} at byte ${pos} is ${r.value}, more than the ${end - r.next} bytes left hold`,
    );
  return r;
}
