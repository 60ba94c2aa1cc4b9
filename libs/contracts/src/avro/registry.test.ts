import { describe, expect, it } from 'vitest';
import { crc64Avro } from './crc64-avro.js';
import { SchemaRegistry, type AvroSchema } from './registry.js';
import { RecordName, createRegistry, loadSchema } from './schemas.js';
import type { Frame } from '../records.js';

function sampleFrame(): Frame {
  const data = Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
  return {
    frameId: '0b1c3b4e-5a7e-4d0c-9b1a-1f2e3d4c5b6a',
    simulationId: 'gray-scott-1',
    step: 42,
    simTime: 4.2,
    fields: [{ name: 'u', dtype: 'float32', shape: [2, 3], codec: 'none', data }],
    attributes: { units: 'dimensionless' },
    ingestedAt: 1_700_000_000_000,
    tenant: 'acme',
  };
}

describe('CRC-64-AVRO', () => {
  it('matches the fingerprints of the Avro specification test vectors', () => {
    // Published by the Avro project (and computed alike by fastavro) for the primitive schemas.
    expect(crc64Avro(Buffer.from('"null"'))).toBe(0x63dd24e7cc258f8an);
    expect(crc64Avro(Buffer.from('"int"'))).toBe(0x7275d51a3f395c8fn);
  });
});

describe('SchemaRegistry', () => {
  const registry = createRegistry();

  it('writes the single-object header: C3 01 then the little-endian fingerprint', () => {
    const buf = registry.encode(RecordName.Frame, sampleFrame());
    expect(buf.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    expect(buf.toString('hex', 2, 10)).toBe(registry.fingerprintOf(RecordName.Frame));
    // Frame v1's fingerprint as fastavro computes it from the Parsing Canonical Form: still known.
    expect(registry.knows('5f3ab445e78896c8')).toBe(true);
    expect(registry.fingerprintOf(RecordName.Frame)).not.toBe('5f3ab445e78896c8');
  });

  it('round-trips a frame byte for byte, with or without a size hint', () => {
    const frame = sampleFrame();
    const plain = registry.encode(RecordName.Frame, frame);
    const hinted = registry.encode(RecordName.Frame, frame, 24 + 256);
    const tooSmallHint = registry.encode(RecordName.Frame, frame, 4);
    expect(hinted).toEqual(plain);
    expect(tooSmallHint).toEqual(plain);
    const decoded = registry.decode<Frame>(plain);
    expect(decoded.name).toBe(RecordName.Frame);
    expect(decoded.value).toEqual(frame);
  });

  it('names the problem with undecodable input', () => {
    const good = registry.encode(RecordName.Frame, sampleFrame());
    expect(() => registry.decode(Buffer.from('garbage bytes here'))).toThrow(
      expect.objectContaining({ code: 'AVRO_BAD_MAGIC' }),
    );
    expect(() => registry.decode(Buffer.from([0xc3]))).toThrow(
      expect.objectContaining({ code: 'AVRO_BAD_MAGIC' }),
    );
    const unknown = Buffer.from(good);
    unknown[5] = unknown[5]! ^ 0xff;
    expect(() => registry.decode(unknown)).toThrow(expect.objectContaining({ code: 'AVRO_UNKNOWN_SCHEMA' }));
    expect(() => registry.decode(good.subarray(0, good.length - 3))).toThrow(
      expect.objectContaining({ code: 'AVRO_DECODE_FAILED' }),
    );
    expect(() => registry.decode(Buffer.concat([good, Buffer.from([1, 2])]))).toThrow(/trailing bytes/);
    expect(() => registry.decodeAs(RecordName.Progress, good)).toThrow(
      expect.objectContaining({ code: 'AVRO_UNEXPECTED_TYPE' }),
    );
  });

  it('resolves an old writer schema into the current reader (a field added with a default)', () => {
    const fields = [
      { name: 'sensor', type: 'string' },
      { name: 'value', type: 'double' },
    ];
    const v1: AvroSchema = { type: 'record', name: 'io.simstream.test.Reading', fields };
    const v2: AvroSchema = {
      type: 'record',
      name: 'io.simstream.test.Reading',
      fields: [...fields, { name: 'unit', type: 'string', default: 'kelvin' }],
    };
    const old = new SchemaRegistry();
    old.register(v1);
    const written = old.encode('io.simstream.test.Reading', { sensor: 't1', value: 293.5 });

    const current = new SchemaRegistry();
    current.register(v1);
    current.register(v2);
    expect(current.decodeAs('io.simstream.test.Reading', written)).toEqual({
      sensor: 't1',
      value: 293.5,
      unit: 'kelvin',
    });
    // New messages are written with v2 and read back whole.
    const fresh = current.encode('io.simstream.test.Reading', { sensor: 't2', value: 1, unit: 'celsius' });
    expect(fresh.toString('hex', 2, 10)).not.toBe(written.toString('hex', 2, 10));
    expect(current.decodeAs('io.simstream.test.Reading', fresh)).toEqual({
      sensor: 't2',
      value: 1,
      unit: 'celsius',
    });
  });

  it('reads frames written with Frame v1 (before tenants) as the current version, tenant default', () => {
    const v1 = new SchemaRegistry();
    v1.register(loadSchema('frame.v1.avsc'));
    const { tenant: _tenant, ...withoutTenant } = sampleFrame();
    const old = v1.encode(RecordName.Frame, withoutTenant);
    expect(old.toString('hex', 2, 10)).toBe('5f3ab445e78896c8');
    expect(registry.decodeAs<Frame>(RecordName.Frame, old)).toEqual({ ...withoutTenant, tenant: 'default' });
  });

  it('refuses to register a version that cannot read an older one', () => {
    const registry = new SchemaRegistry();
    registry.register({ type: 'record', name: 'x.R', fields: [{ name: 'a', type: 'string' }] });
    expect(() =>
      registry.register({ type: 'record', name: 'x.R', fields: [{ name: 'b', type: 'int' }] }),
    ).toThrow(expect.objectContaining({ code: 'AVRO_SCHEMA_INCOMPATIBLE' }));
    // The registry is unchanged: the first version still writes and reads.
    expect(registry.decodeAs('x.R', registry.encode('x.R', { a: 'kept' }))).toEqual({ a: 'kept' });
  });
});
