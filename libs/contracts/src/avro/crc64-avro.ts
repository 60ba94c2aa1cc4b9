/**
 * CRC-64-AVRO (Rabin) fingerprints, as defined by the Avro specification ("Schema
 * Fingerprints"): the 8-byte fingerprint of a schema's Parsing Canonical Form that the
 * single-object encoding puts in front of every message.
 */

const EMPTY = 0xc15d213aa4d7a795n;
const MASK64 = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = (() => {
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) {
      fp = (fp >> 1n) ^ (EMPTY & (fp & 1n ? MASK64 : 0n));
    }
    table.push(fp);
  }
  return table;
})();

/** The 64-bit Rabin fingerprint of `bytes` (computed once per schema: BigInt is fast enough). */
export function crc64Avro(bytes: Uint8Array): bigint {
  let fp = EMPTY;
  for (const byte of bytes) {
    fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(byte)) & 0xffn)]!;
  }
  return fp;
}

/** The fingerprint as the 8 little-endian bytes the single-object encoding carries. */
export function fingerprintBytes(canonicalForm: string): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(crc64Avro(Buffer.from(canonicalForm, 'utf8')));
  return out;
}
