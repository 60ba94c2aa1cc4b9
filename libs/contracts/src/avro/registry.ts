/**
 * A schema registry inside the library: every schema version we ever wrote is known by its
 * CRC-64-AVRO fingerprint, and a message written with any of them decodes into the current
 * (reader) version of its record through Avro's schema resolution rules. No network registry is
 * needed: the fingerprint in each single-object header is the whole protocol.
 */
import avro from 'avsc';
import { SimstreamError } from '@simstream/errors';
import { fingerprintBytes } from './crc64-avro.js';
import {
  AvroDecodeError,
  SINGLE_OBJECT_HEADER_BYTES,
  SINGLE_OBJECT_MAGIC,
  readFingerprint,
} from './single-object.js';

export type AvroSchema = avro.Schema;

interface WriterEntry {
  readonly name: string;
  readonly fingerprint: string;
  readonly type: avro.Type;
  /** Resolver from this writer to the current reader; undefined when the writer is the reader. */
  resolver: avro.Resolver | undefined;
}

interface ReaderEntry {
  readonly type: avro.Type;
  readonly header: Buffer;
  readonly fingerprint: string;
}

export interface Decoded<T = unknown> {
  readonly name: string;
  readonly value: T;
  readonly writerFingerprint: string;
}

export class SchemaRegistry {
  private readonly writers = new Map<string, WriterEntry>();
  private readonly readers = new Map<string, ReaderEntry>();

  /**
   * Registers a schema version. The last version registered under a full name is the current
   * one: it writes new messages and every older version resolves into it.
   */
  register(schema: AvroSchema): string {
    const type = avro.Type.forSchema(schema);
    const name = type.name;
    if (name === undefined) {
      throw new SimstreamError('AVRO_SCHEMA_INVALID', 'only named schemas (records) can be registered');
    }
    const canonical = JSON.stringify(type.schema());
    const header = Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprintBytes(canonical)]);
    const fingerprint = header.toString('hex', 2, 10);
    // Resolvers first: a version that cannot read an older one leaves the registry unchanged.
    const resolvers = new Map<string, avro.Resolver>();
    for (const writer of this.writers.values()) {
      if (writer.name === name && writer.fingerprint !== fingerprint) {
        resolvers.set(writer.fingerprint, this.resolverFor(type, writer));
      }
    }
    this.readers.set(name, { type, header, fingerprint });
    this.writers.set(fingerprint, { name, fingerprint, type, resolver: undefined });
    for (const [writerFingerprint, resolver] of resolvers)
      this.writers.get(writerFingerprint)!.resolver = resolver;
    return fingerprint;
  }

  private resolverFor(reader: avro.Type, writer: WriterEntry): avro.Resolver {
    try {
      return reader.createResolver(writer.type);
    } catch (error) {
      throw new SimstreamError(
        'AVRO_SCHEMA_INCOMPATIBLE',
        `schema ${writer.name} (${writer.fingerprint}) cannot be read by the current version: ${String(error)}`,
        { cause: error },
      );
    }
  }

  /** The current fingerprint of a record name (16 hex digits). */
  fingerprintOf(name: string): string {
    return this.reader(name).fingerprint;
  }

  knows(fingerprint: string): boolean {
    return this.writers.has(fingerprint);
  }

  private reader(name: string): ReaderEntry {
    const entry = this.readers.get(name);
    if (entry === undefined)
      throw new SimstreamError('AVRO_SCHEMA_UNKNOWN', `no schema registered for ${name}`);
    return entry;
  }

  /**
   * Single-object encoding of `value` with the current schema of `name`. With a size hint
   * (e.g. the sum of a frame's array bytes plus a little), large records are written once into
   * one exact buffer instead of encoded twice and copied.
   */
  encode(name: string, value: unknown, sizeHint = 0): Buffer {
    const { type, header } = this.reader(name);
    if (sizeHint <= 0) {
      const body = type.toBuffer(value);
      return Buffer.concat([header, body], SINGLE_OBJECT_HEADER_BYTES + body.length);
    }
    let buf = Buffer.allocUnsafe(SINGLE_OBJECT_HEADER_BYTES + sizeHint);
    header.copy(buf, 0);
    let end = type.encode(value, buf, SINGLE_OBJECT_HEADER_BYTES);
    if (end < 0) {
      // avsc returns -(bytes missing): retry once with the exact size.
      buf = Buffer.allocUnsafe(buf.length - end);
      header.copy(buf, 0);
      end = type.encode(value, buf, SINGLE_OBJECT_HEADER_BYTES);
    }
    return buf.subarray(0, end);
  }

  /** Decodes any registered record, resolved into the current version of its name. */
  decode<T = unknown>(buf: Buffer): Decoded<T> {
    const fingerprint = readFingerprint(buf);
    const writer = this.writers.get(fingerprint);
    if (writer === undefined) {
      throw new AvroDecodeError('AVRO_UNKNOWN_SCHEMA', `no known schema has fingerprint ${fingerprint}`);
    }
    const reader = this.reader(writer.name).type;
    let result: { value: unknown; offset: number };
    try {
      result = reader.decode(buf, SINGLE_OBJECT_HEADER_BYTES, writer.resolver);
    } catch (error) {
      throw new AvroDecodeError(
        'AVRO_DECODE_FAILED',
        `${writer.name}: body does not decode: ${String(error)}`,
        error,
      );
    }
    if (result.offset < 0) {
      throw new AvroDecodeError(
        'AVRO_DECODE_FAILED',
        `${writer.name}: body is truncated (${buf.length} bytes)`,
      );
    }
    if (result.offset !== buf.length) {
      throw new AvroDecodeError(
        'AVRO_DECODE_FAILED',
        `${writer.name}: ${buf.length - result.offset} trailing bytes after the record`,
      );
    }
    return { name: writer.name, value: result.value as T, writerFingerprint: fingerprint };
  }

  /** Decodes and checks the record is of the expected name. */
  decodeAs<T>(name: string, buf: Buffer): T {
    const decoded = this.decode<T>(buf);
    if (decoded.name !== name) {
      throw new AvroDecodeError('AVRO_UNEXPECTED_TYPE', `expected ${name}, got ${decoded.name}`);
    }
    return decoded.value;
  }
}
