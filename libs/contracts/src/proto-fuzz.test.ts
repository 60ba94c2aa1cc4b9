/**
 * Fuzzing the gRPC ingestion messages as ingestion decodes them (proto-loader's deserializers,
 * protobufjs underneath): random bytes and mutations of valid encodings (byte flips, lengths
 * and varints set to huge values, truncations, duplicated spans) must each end in a message or
 * an error within a second (the worst is printed). protobufjs checks every length against the
 * buffer; this keeps it so.
 */
import fc from 'fast-check';
import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { loadIngestionContract } from './grpc.js';

const service = loadIngestionContract().definition['simstream.v1.IngestionService'] as grpc.ServiceDefinition;
const frame = {
  simulationId: 'sim-1',
  step: 7,
  simTime: 0.5,
  attributes: { units: 'm/s' },
  fields: [
    { name: 'u', dtype: 'DTYPE_FLOAT32', shape: [2, 2], codec: 'CODEC_NONE', data: Buffer.alloc(16, 1) },
  ],
};
const method = (name: string): grpc.MethodDefinition<unknown, unknown> => service[name]!;
const SEEDS: [string, Buffer][] = [
  ['IngestBatch', method('IngestBatch').requestSerialize({ frames: [frame, frame] })],
  ['StreamFrames', method('StreamFrames').requestSerialize({ frame })],
  ['StreamFrames', method('StreamFrames').requestSerialize({ open: { simulationId: 'sim-1' } })],
  ['GetStatus', method('GetStatus').requestSerialize({ simulationId: 'sim-1' })],
];
const HUGE_VARINTS = [
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x08],
];

function mutations(seed: Buffer): fc.Arbitrary<Buffer> {
  const index = fc.nat({ max: seed.length - 1 });
  const put = (i: number, bytes: number[]): Buffer => {
    const out = Buffer.from(seed);
    bytes.forEach((b, k) => i + k < out.length && (out[i + k] = b));
    return out;
  };
  return fc.oneof(
    fc.tuple(index, fc.integer({ min: 0, max: 255 })).map(([i, v]) => put(i, [v])),
    fc.tuple(index, fc.constantFrom(...HUGE_VARINTS)).map(([i, v]) => put(i, v)),
    fc.nat({ max: seed.length }).map((k) => seed.subarray(0, k)),
    fc
      .tuple(index, index, index)
      .map(([a, b, c]) =>
        Buffer.concat([
          seed.subarray(0, c),
          seed.subarray(Math.min(a, b), Math.max(a, b) + 1),
          seed.subarray(c),
        ]),
      ),
  );
}

let worstMs = 0;

function endsInTime(name: string, bytes: Buffer): void {
  const started = performance.now();
  try {
    method(name).requestDeserialize(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
  }
  const ms = performance.now() - started;
  worstMs = Math.max(worstMs, ms);
  // Generous for a loaded CI machine; a length loop protobufjs trusted would take seconds.
  expect(ms).toBeLessThan(1_000);
}

describe('ingestion protobuf messages under fuzzing', () => {
  it('end in a message or an error for random bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('IngestBatch', 'StreamFrames', 'GetStatus'),
        fc.uint8Array({ maxLength: 4096 }),
        (name, bytes) => endsInTime(name, Buffer.from(bytes)),
      ),
      { numRuns: 2_000, interruptAfterTimeLimit: 8_000 },
    );
  });

  it('end in a message or an error for mutations of valid encodings', () => {
    const inputs = fc.oneof(...SEEDS.map(([name, seed]) => mutations(seed).map((b) => [name, b] as const)));
    fc.assert(
      fc.property(inputs, ([name, bytes]) => endsInTime(name, bytes)),
      { numRuns: 4_000, interruptAfterTimeLimit: 10_000 },
    );
    process.stdout.write(`protobuf fuzz: worst ${worstMs.toFixed(2)} ms per message\n`);
  });
});
