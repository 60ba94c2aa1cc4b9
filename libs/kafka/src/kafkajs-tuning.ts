/**
 * Two CPU fixes for kafkajs's producer path, found by profiling ingestion (64 KiB frames,
 * 2 MiB transactions): its CRC-32C runs byte by byte (7 % of ingestion CPU, ~200–340 MB/s),
 * and its request encoder grows buffers with zero-filled `Buffer.alloc` (4 %), only to overwrite
 * them. Here: a slice-by-8 CRC-32C (4× faster, same results: tested against kafkajs's own), and
 * growth with `allocUnsafe` (only written bytes are ever exposed by the encoder).
 *
 * The CRC is a module kafkajs's record-batch encoder takes at load time, so this module must be
 * evaluated before kafkajs: every module of this package that imports kafkajs values imports
 * this one first. If kafkajs was already loaded by someone else, the CRC stays kafkajs's own
 * (correct, slower); `kafkajsTuning` says what was applied.
 */
import { Module, createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const TABLES = (() => {
  const t = Array.from({ length: 8 }, () => new Int32Array(256));
  const t0 = t[0]!;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t0[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n]!;
    for (let k = 1; k < 8; k++) {
      c = t0[c & 0xff]! ^ (c >>> 8);
      t[k]![n] = c;
    }
  }
  return t as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
})();

/** CRC-32C (Castagnoli), slice-by-8; what Kafka's record batches carry. */
export function crc32c(buf: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let crc = -1;
  let i = 0;
  const n = buf.length;
  const end8 = n - (n & 7);
  for (; i < end8; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    const b = buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24);
    crc =
      t7[a & 0xff]! ^
      t6[(a >>> 8) & 0xff]! ^
      t5[(a >>> 16) & 0xff]! ^
      t4[a >>> 24]! ^
      t3[b & 0xff]! ^
      t2[(b >>> 8) & 0xff]! ^
      t1[(b >>> 16) & 0xff]! ^
      t0[b >>> 24]!;
  }
  for (; i < n; i++) crc = t0[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

interface EncoderClass {
  nextPowerOfTwo(value: number): number;
  prototype: { ensureAvailable(this: { buf: Buffer; offset: number }, length: number): void };
}

function install(): { readonly crc: boolean; readonly encoder: boolean } {
  const crcPath = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js');
  let crc = false;
  if (require.cache[crcPath] === undefined) {
    const module = new Module(crcPath);
    module.filename = crcPath;
    module.loaded = true;
    module.exports = (buffer: Buffer) => crc32c(buffer);
    require.cache[crcPath] = module;
    crc = true;
  }
  const Encoder = require('kafkajs/src/protocol/encoder.js') as EncoderClass;
  Encoder.prototype.ensureAvailable = function ensureAvailable(length: number) {
    if (this.offset + length <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf = grown;
  };
  return { crc, encoder: true };
}

/** What was applied (the CRC only if kafkajs was not loaded before this package). */
export const kafkajsTuning = install();
