/**
 * Structured mutations of a valid encoding for the fuzz tests: single-byte flips, 32/64-bit
 * little-endian fields and varints set to huge values, truncations, duplicated spans.
 * Length and count fields are where decoders trust the bytes; these aim there.
 */
import fc from 'fast-check';

const HUGE_32 = [0x7fffffff, 0xffffffff, 0x40000000, 0x00010000, 0x80000000];
const HUGE_64 = [2n ** 62n, 2n ** 63n - 1n, 2n ** 40n, -1n, -(2n ** 62n)];
/** Zig-zag varints of 10^8, 2^31 and -2^62 (Avro counts), and protobuf's longest length. */
const HUGE_VARINTS = [
  [0x80, 0x84, 0xaf, 0x5f],
  [0x80, 0x80, 0x80, 0x80, 0x10],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
];

function at(seed: Uint8Array, index: number, bytes: ArrayLike<number>): Buffer {
  const out = Buffer.from(seed);
  for (let i = 0; i < bytes.length && index + i < out.length; i++) out[index + i] = bytes[i]!;
  return out;
}

export function mutationsOf(seed: Uint8Array): fc.Arbitrary<Buffer> {
  const index = fc.nat({ max: Math.max(0, seed.length - 1) });
  return fc.oneof(
    fc.tuple(index, fc.integer({ min: 0, max: 255 })).map(([i, v]) => at(seed, i, [v])),
    fc.tuple(index, fc.constantFrom(...HUGE_32)).map(([i, v]) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(v);
      return at(seed, i, b);
    }),
    fc.tuple(index, fc.constantFrom(...HUGE_64)).map(([i, v]) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(v);
      return at(seed, i, b);
    }),
    fc.tuple(index, fc.constantFrom(...HUGE_VARINTS)).map(([i, v]) => at(seed, i, v)),
    fc.nat({ max: seed.length }).map((k) => Buffer.from(seed.subarray(0, k))),
    fc.tuple(index, index, index).map(([a, b, c]) => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      const span = seed.subarray(from, Math.min(to + 1, from + 4096));
      return Buffer.concat([seed.subarray(0, c), span, seed.subarray(c)]);
    }),
    fc
      .array(fc.tuple(index, fc.integer({ min: 0, max: 255 })), { minLength: 2, maxLength: 8 })
      .map((flips) => {
        const out = Buffer.from(seed);
        for (const [i, v] of flips) out[i] = v;
        return out;
      }),
  );
}

/** Random bytes, sometimes behind the format's magic so the decoder gets past it. */
export function randomBytes(magic: Uint8Array = new Uint8Array()): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.boolean(), fc.uint8Array({ maxLength: 2048 }))
    .map(([withMagic, bytes]) => Buffer.concat([withMagic ? magic : new Uint8Array(), bytes]));
}
