/** The decoders on valid and invalid bodies (run directly, without the worker). */
import type avro from 'avsc';
import { Binary, Field, FixedSizeList, Float32, Float64, Int32, Int64, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadSchema } from '@simstream/contracts';
import { arrowFrames as decodeArrow } from './arrow-frames.js';
import { avroFrames as decodeAvro } from './avro-frames.js';
import { jsonFrames } from './json-frames.js';
import { arrowTable, avroContainer } from './samples.js';
import { UploadError } from './upload-error.js';
import { toProtoFrame } from './upload-frame.js';

const arrowFrames = (body: Buffer) => decodeArrow(body, 1000);
const avroFrames = (body: Buffer, maxDecodedBytes: number) =>
  decodeAvro(body, { maxDecodedBytes, maxFrames: 1000 });

function expectBadRequest(fn: () => unknown, code: string, reason?: string) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UploadError);
    const e = error as UploadError;
    expect(e.status).toBe(400);
    expect(e.code).toBe(code);
    if (reason !== undefined) expect(e.violations.map((v) => v.reason)).toContain(reason);
    return e;
  }
  throw new Error('expected a 400');
}

const floats = (...xs: number[]) => Buffer.from(new Float32Array(xs).buffer);

describe('JSON frames', () => {
  it('decodes base64 (standard and URL-safe) into fields', () => {
    const data = floats(1, 2, 3, 4);
    const frames = jsonFrames({
      frames: [
        {
          step: 3,
          sim_time: 0.5,
          fields: [{ name: 'u', dtype: 'float32', shape: [2, 2], data: data.toString('base64') }],
        },
        {
          step: 4,
          sim_time: 0.6,
          simulation_id: 'other',
          attributes: { a: 'b' },
          fields: [
            { name: 'u', dtype: 'float32', shape: [4], codec: 'none', data: data.toString('base64url') },
          ],
        },
      ],
    });
    expect(frames[0]).toEqual({
      step: 3,
      simTime: 0.5,
      attributes: {},
      fields: [{ name: 'u', dtype: 'float32', shape: [2, 2], codec: 'none', data }],
    });
    expect(frames[1]!.fields[0]!.data).toEqual(data);
    expect(frames[1]!.simulationId).toBe('other');
    expect(toProtoFrame('sim-1', frames[0]!)).toMatchObject({
      simulationId: 'sim-1',
      step: 3,
      fields: [{ dtype: 'DTYPE_FLOAT32', codec: 'CODEC_NONE' }],
    });
  });

  it('names the field of invalid base64', () => {
    const e = expectBadRequest(
      () =>
        jsonFrames({
          frames: [
            {
              step: 0,
              sim_time: 0,
              fields: [{ name: 'u', dtype: 'uint8', shape: [1], data: 'not base64!' }],
            },
          ],
        }),
      'INVALID_ARGUMENT',
      'BASE64_INVALID',
    );
    expect(e.violations[0]!.field).toBe('body.frames[0].fields[0].data');
  });
});

describe('Arrow frames', () => {
  it('reads one frame per row from binary and fixed-size-list columns, with shapes from metadata', () => {
    const body = arrowTable([
      { field: new Field('step', new Int64()), values: [10n, 11n] },
      { field: new Field('sim_time', new Float64()), values: [1.5, 1.6] },
      { field: new Field('attributes', new Utf8(), true), values: ['{"units":"m/s"}', null] },
      {
        field: new Field(
          'u',
          new Binary(),
          true,
          new Map([
            ['dtype', 'float32'],
            ['shape', '[2,2]'],
          ]),
        ),
        values: [new Uint8Array(floats(1, 2, 3, 4)), null],
      },
      {
        field: new Field('p', new FixedSizeList(3, new Field('item', new Float32())), true),
        values: [new Float32Array([7, 8, 9]), new Float32Array([4, 5, 6])],
      },
    ]);
    const frames = arrowFrames(body);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ step: 10, simTime: 1.5, attributes: { units: 'm/s' } });
    expect(frames[0]!.fields).toEqual([
      { name: 'u', dtype: 'float32', codec: 'none', shape: [2, 2], data: floats(1, 2, 3, 4) },
      { name: 'p', dtype: 'float32', codec: 'none', shape: [3], data: floats(7, 8, 9) },
    ]);
    // A null cell leaves the field out of that frame.
    expect(frames[1]!.fields.map((f) => f.name)).toEqual(['p']);
    expect(frames[1]!.fields[0]!.data).toEqual(floats(4, 5, 6));
  });

  it('refuses a body that is not Arrow, and columns it cannot read, naming them', () => {
    expectBadRequest(() => arrowFrames(Buffer.from('hello, not arrow')), 'MALFORMED_ARROW');
    const noStep = arrowTable([
      { field: new Field('sim_time', new Float64()), values: [0] },
      {
        field: new Field('u', new Binary(), true, new Map([['dtype', 'float128']])),
        values: [new Uint8Array(4)],
      },
      { field: new Field('name', new Utf8()), values: ['x'] },
    ]);
    const e = expectBadRequest(() => arrowFrames(noStep), 'INVALID_ARGUMENT');
    expect(e.violations.map((v) => `${v.field} ${v.reason}`)).toEqual([
      'body.columns.step COLUMN_MISSING',
      'body.columns.u.metadata.dtype DTYPE_UNKNOWN',
      'body.columns.name COLUMN_TYPE_UNSUPPORTED',
    ]);
    const badShape = arrowTable([
      { field: new Field('step', new Int32()), values: [0] },
      { field: new Field('sim_time', new Float64()), values: [0] },
      {
        field: new Field(
          'u',
          new Binary(),
          true,
          new Map([
            ['dtype', 'uint8'],
            ['shape', '2x2'],
          ]),
        ),
        values: [new Uint8Array(4)],
      },
    ]);
    expectBadRequest(() => arrowFrames(badShape), 'INVALID_ARGUMENT', 'SHAPE_INVALID');
  });
});

describe('Avro frames', () => {
  const container = (schema: avro.Schema, records: unknown[], codec: 'null' | 'deflate' = 'null') =>
    Promise.resolve(avroContainer(schema, records, codec));

  it('reads a container file written with our own frame.v2 schema (deflate), ignoring frameId, ingestedAt, tenant', async () => {
    const frame = (step: number) => ({
      frameId: `f${step}`,
      simulationId: 'sim-a',
      step,
      simTime: step / 10,
      fields: [{ name: 'u', dtype: 'float32', shape: [2], codec: 'none', data: floats(step, step + 1) }],
      attributes: { k: 'v' },
      ingestedAt: 0,
      tenant: 'whoever',
    });
    const body = await container(loadSchema('frame.v2.avsc'), [frame(1), frame(2), frame(3)], 'deflate');
    const frames = avroFrames(body, 1 << 20);
    expect(frames.map((f) => f.step)).toEqual([1, 2, 3]);
    expect(frames[2]).toEqual({
      step: 3,
      simTime: 0.3,
      attributes: { k: 'v' },
      simulationId: 'sim-a',
      fields: [{ name: 'u', dtype: 'float32', shape: [2], codec: 'none', data: floats(3, 4) }],
    });
  });

  it('refuses files that are not containers of frames, truncated, or with a foreign schema', async () => {
    expectBadRequest(() => avroFrames(Buffer.from('{"frames": []}'), 1 << 20), 'MALFORMED_AVRO');
    const good = await container(loadSchema('frame.v2.avsc'), [
      {
        frameId: 'x',
        simulationId: 's',
        step: 1,
        simTime: 0,
        fields: [],
        attributes: {},
        ingestedAt: 0,
        tenant: 't',
      },
    ]);
    expectBadRequest(() => avroFrames(good.subarray(0, good.length - 5), 1 << 20), 'MALFORMED_AVRO');
    const foreign = await container({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }, [
      { x: 1 },
    ]);
    expectBadRequest(() => avroFrames(foreign, 1 << 20), 'MALFORMED_AVRO');
  });
});
