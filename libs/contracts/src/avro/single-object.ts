/**
 * Avro single-object encoding (Avro specification, "Single-object encoding"):
 * the two marker bytes C3 01, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer
 * schema, then the Avro binary body. Readers find the writer schema by fingerprint.
 */
import { SimstreamError } from '@simstream/errors';

export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
export const SINGLE_OBJECT_HEADER_BYTES = 10;

/** A Kafka value (or any buffer) that is not a decodable Avro single object. */
export class AvroDecodeError extends SimstreamError {
  constructor(
    code: 'AVRO_BAD_MAGIC' | 'AVRO_UNKNOWN_SCHEMA' | 'AVRO_DECODE_FAILED' | 'AVRO_UNEXPECTED_TYPE',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { retriable: false, cause });
  }
}

/** The fingerprint (as 16 hex digits, little-endian byte order) of a single object, or an error. */
export function readFingerprint(buf: Uint8Array): string {
  if (buf.length < SINGLE_OBJECT_HEADER_BYTES) {
    throw new AvroDecodeError(
      'AVRO_BAD_MAGIC',
      `message of ${buf.length} bytes is shorter than the 10-byte single-object header`,
    );
  }
  if (buf[0] !== 0xc3 || buf[1] !== 0x01) {
    const seen = Buffer.from(buf.subarray(0, 2)).toString('hex');
    throw new AvroDecodeError(
      'AVRO_BAD_MAGIC',
      `not an Avro single object: marker is 0x${seen}, expected 0xc301`,
    );
  }
  return Buffer.from(buf.buffer, buf.byteOffset + 2, 8).toString('hex');
}
