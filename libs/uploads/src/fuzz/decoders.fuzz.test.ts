/**
 * Property-based fuzzing of the upload decoders through the real path (the worker pool): random
 * bytes and structured mutations of valid Arrow and Avro bodies, and JSON documents, must each
 * end in frames or a coded UploadError, well within the decoding deadline. Bounded in runs and
 * time (the whole suite stays under a minute on two cores); the worst time per input and per
 * MiB is printed as JSON.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodePool } from '../decode-pool.js';
import { decodeUpload } from '../decode-upload.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from '../limits.js';
import { sampleArrow, sampleAvro } from '../samples.js';
import { UploadError } from '../upload-error.js';
import type { UploadFormat } from '../upload-frame.js';
import { mutationsOf, randomBytes } from './mutations.js';

const pool = new DecodePool({ size: 1 });
const LIMITS: UploadLimits = {
  ...DEFAULT_UPLOAD_LIMITS,
  maxDecodedBytes: 16 * 2 ** 20,
  deadlineBaseMs: 1_500,
};
/** Far below the deadline: a decoder that needs this long on a small input has a loop to fix. */
const SLOW_MS = 1_000;
/** UPLOAD_DECODE_FAILED: coded, but an exception no check of ours foresaw: worth a corpus file. */
const worst = { ms: 0, bytes: 0, format: '', msPerMiB: 0, inputs: 0, decodeFailed: 0 };

async function endsInTime(format: UploadFormat, body: unknown, bytes: number): Promise<void> {
  const started = performance.now();
  try {
    await decodeUpload(format, body, LIMITS, { pool });
  } catch (error) {
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).code).not.toBe('UPLOAD_DECODE_TIMEOUT');
    if ((error as UploadError).code === 'UPLOAD_DECODE_FAILED') worst.decodeFailed++;
  }
  const ms = performance.now() - started;
  worst.inputs++;
  if (ms > worst.ms) Object.assign(worst, { ms, bytes, format });
  // Per MiB only for inputs of 64 KiB and more: on a few hundred bytes it measures the worker hop.
  if (bytes >= 65_536) worst.msPerMiB = Math.max(worst.msPerMiB, ms / (bytes / 2 ** 20));
  expect(ms).toBeLessThan(SLOW_MS);
}

const RUNS = { numRuns: 500, interruptAfterTimeLimit: 10_000 };

// The worker's start is not a decoder's time.
beforeAll(() => decodeUpload('arrow', sampleArrow(1, 1), LIMITS, { pool }));

afterAll(async () => {
  await pool.close();
  process.stdout.write(`upload decoder fuzz: ${JSON.stringify(worst)}\n`);
});

describe.each([
  ['arrow', [sampleArrow(2, 4), sampleArrow(64, 1024)], Buffer.from([0xff, 0xff, 0xff, 0xff])],
  ['avro', [sampleAvro(2, 4), sampleAvro(64, 1024, { codec: 'deflate' })], Buffer.from('Obj\x01', 'latin1')],
] as const)('%s decoder under fuzzing', (format, seeds, magic) => {
  it('ends in frames or a coded error for random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(randomBytes(magic), (body) => endsInTime(format, body, body.length)),
      RUNS,
    );
  }, 30_000);

  it('ends in frames or a coded error for mutations of valid bodies', async () => {
    const inputs = fc.oneof(...seeds.map((seed) => mutationsOf(seed)));
    await fc.assert(
      fc.asyncProperty(inputs, (body) => endsInTime(format, body, body.length)),
      { ...RUNS, numRuns: 2_000 },
    );
  }, 30_000);
});

describe('JSON decoder under fuzzing', () => {
  it('ends in frames or a coded error for any JSON value and for frame-shaped documents', async () => {
    const field = fc.record({
      name: fc.string(),
      dtype: fc.constantFrom('float32', 'uint8', 'x'),
      shape: fc.array(fc.oneof(fc.integer(), fc.double())),
      data: fc.oneof(fc.base64String(), fc.string()),
    });
    const frame = fc.record({
      step: fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 60)),
      sim_time: fc.double(),
      fields: fc.array(field, { maxLength: 4 }),
    });
    const body = fc.oneof(fc.jsonValue(), fc.record({ frames: fc.array(frame, { maxLength: 8 }) }));
    await fc.assert(
      fc.asyncProperty(body, (b) => endsInTime('json', b, JSON.stringify(b)?.length ?? 0)),
      { numRuns: 1_000, interruptAfterTimeLimit: 8_000 },
    );
  }, 30_000);
});
