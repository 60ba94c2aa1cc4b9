/**
 * The descriptors reflection serves are protoc's: one per file under its import name, names as
 * written (what Python and Go clients built from reflection use), `XxxEntry` maps, fully
 * qualified references, proto3 optional as synthetic oneofs after the declared ones.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { describe, expect, it } from 'vitest';
import { ProtoSourceError } from './errors.js';
import {
  encodeFileDescriptors,
  fileDescriptors,
  jsonName,
  mapEntryName,
  type FileDescriptor,
} from './file-descriptors.js';
import { HEALTH_PROTO, reflectedFiles } from './reflection.js';

const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');
const SERVICE_FILES = [
  'simstream/v1/ingestion.proto',
  'simstream/v1/query.proto',
  'simstream/v1/quantum.proto',
];

const files = reflectedFiles({ includeDirs: [PROTO_ROOT], files: SERVICE_FILES });
const byName = new Map(files.map((f) => [f.name, f]));

function file(name: string): FileDescriptor {
  const f = byName.get(name);
  if (f === undefined) throw new Error(`no ${name}`);
  return f;
}

function message(fileName: string, name: string): descriptor.IDescriptorProto {
  const m = file(fileName).messageType?.find((t) => t.name === name);
  if (m === undefined) throw new Error(`no ${name} in ${fileName}`);
  return m;
}

/** Every message of a file with its nested ones. */
function allMessages(messages: readonly descriptor.IDescriptorProto[] = []): descriptor.IDescriptorProto[] {
  return messages.flatMap((m) => [m, ...allMessages(m.nestedType)]);
}

describe('fileDescriptors', () => {
  it('has one descriptor per source file, under its import name, dependencies first', () => {
    expect(files.map((f) => f.name)).toEqual([
      'simstream/v1/frame.proto',
      'simstream/v1/ingestion.proto',
      'simstream/v1/results.proto',
      'simstream/v1/query.proto',
      'simstream/v1/quantum.proto',
      HEALTH_PROTO,
    ]);
    expect(file('simstream/v1/ingestion.proto')).toMatchObject({
      package: 'simstream.v1',
      dependency: ['simstream/v1/frame.proto'],
      syntax: 'proto3',
      options: { javaPackage: 'io.simstream.v1', javaMultipleFiles: true },
    });
    expect(file(HEALTH_PROTO).package).toBe('grpc.health.v1');
    expect(file(HEALTH_PROTO).service?.map((s) => s.name)).toEqual(['Health']);
  });

  it('keeps field names as written (snake_case), with protoc JSON names', () => {
    for (const f of files)
      for (const m of allMessages(f.messageType))
        for (const field of m.field ?? []) {
          expect(field.name, `${f.name} ${m.name}`).toMatch(/^[a-z][a-z0-9_]*$/);
          expect(field.jsonName).toBe(jsonName(field.name!));
        }
    expect(message('simstream/v1/ingestion.proto', 'StreamOpened').field?.[1]).toMatchObject({
      name: 'last_durable_step',
      jsonName: 'lastDurableStep',
    });
  });

  it('writes maps as repeated XxxEntry messages nested in their message', () => {
    const open = message('simstream/v1/ingestion.proto', 'OpenStream');
    expect(open.field?.find((f) => f.name === 'attributes')).toMatchObject({
      label: 3,
      type: 11,
      typeName: '.simstream.v1.OpenStream.AttributesEntry',
    });
    expect(open.nestedType).toEqual([
      {
        name: 'AttributesEntry',
        field: [
          { name: 'key', number: 1, label: 1, type: 9, jsonName: 'key' },
          { name: 'value', number: 2, label: 1, type: 9, jsonName: 'value' },
        ],
        options: { mapEntry: true },
      },
    ]);
    const statuses = message(HEALTH_PROTO, 'HealthListResponse').nestedType?.[0];
    expect(statuses?.name).toBe('StatusesEntry');
    expect(statuses?.field?.[1]?.typeName).toBe('.grpc.health.v1.HealthCheckResponse');
  });

  it('names every referenced type fully qualified', () => {
    for (const f of files) {
      for (const m of allMessages(f.messageType))
        for (const field of m.field ?? [])
          if (field.typeName !== undefined) expect(field.typeName).toMatch(/^\.[a-z]/);
      for (const s of f.service ?? [])
        for (const method of s.method ?? []) {
          expect(method.inputType).toMatch(/^\.[a-z]/);
          expect(method.outputType).toMatch(/^\.[a-z]/);
        }
    }
    const ingestion = file('simstream/v1/ingestion.proto').service?.[0];
    expect(ingestion?.method?.[0]).toEqual({
      name: 'StreamFrames',
      inputType: '.simstream.v1.StreamFramesRequest',
      outputType: '.simstream.v1.StreamFramesResponse',
      clientStreaming: true,
      serverStreaming: true,
    });
    const frame = message('simstream/v1/ingestion.proto', 'StreamFramesRequest').field?.[1];
    expect(frame).toMatchObject({ name: 'frame', typeName: '.simstream.v1.Frame', oneofIndex: 0 });
  });

  it('writes proto3 optional as a synthetic oneof after the declared ones', () => {
    const opened = message('simstream/v1/ingestion.proto', 'StreamOpened');
    expect(opened.oneofDecl).toEqual([{ name: '_last_durable_step' }]);
    expect(opened.field?.[1]).toMatchObject({ proto3Optional: true, oneofIndex: 0, label: 1 });
    const job = message('simstream/v1/quantum.proto', 'Job');
    expect(job.field?.find((f) => f.name === 'result')).toMatchObject({
      proto3Optional: true,
      typeName: '.simstream.v1.SolveResult',
    });
  });

  it('encodes to bytes that decode to the same descriptors', () => {
    const [bytes] = encodeFileDescriptors([file('simstream/v1/frame.proto')]);
    const decoded = descriptor.FileDescriptorProto.toObject(
      descriptor.FileDescriptorProto.decode(bytes!),
      {},
    );
    // Empty lists are absent on the wire.
    const written = JSON.parse(
      JSON.stringify(file('simstream/v1/frame.proto'), (_, v: unknown) =>
        Array.isArray(v) && v.length === 0 ? undefined : v,
      ),
    ) as unknown;
    expect(decoded).toEqual(written);
  });

  it('says which file is missing', () => {
    expect(() => fileDescriptors({ includeDirs: [PROTO_ROOT], files: ['simstream/v1/nope.proto'] })).toThrow(
      ProtoSourceError,
    );
  });
});

describe('names', () => {
  it('follow protoc', () => {
    expect(jsonName('simulation_id')).toBe('simulationId');
    expect(jsonName('from_time_ms')).toBe('fromTimeMs');
    expect(jsonName('x')).toBe('x');
    expect(mapEntryName('attributes')).toBe('AttributesEntry');
    expect(mapEntryName('field_stats')).toBe('FieldStatsEntry');
  });
});
