/**
 * The security findings against the upload decoders, one test each (they failed on the
 * gateway's decoders before libs/uploads): Arrow headers with huge counts, the 8-byte Avro
 * body, the deflate bomb, negative and inexact steps. And the deadline: a decode that runs
 * long is stopped while the main thread's event loop keeps turning.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { avroFrames } from './avro-frames.js';
import { DecodePool } from './decode-pool.js';
import { decodeUpload } from './decode-upload.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './limits.js';
import { sampleArrow, sampleAvro } from './samples.js';
import { UploadError } from './upload-error.js';
import type { UploadFormat } from './upload-frame.js';

const pool = new DecodePool({ size: 1 });
afterAll(() => pool.close());

async function outcome(format: UploadFormat, body: unknown, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS) {
  try {
    return { frames: await decodeUpload(format, body, limits, { pool }) };
  } catch (error) {
    if (!(error instanceof UploadError)) throw error;
    return { error };
  }
}

describe('finding 1: Arrow message headers with huge counts', () => {
  it('refuses, within 100 ms, a valid 2-row stream whose batch length, node length or vector length is huge', async () => {
    const valid = sampleArrow(2, 4);
    expect((await outcome('arrow', valid)).frames).toHaveLength(2);
    for (const [at, bytes] of [
      [436, [0x40]], // record batch length
      [435, [0x40]],
      [131, [0x40]], // custom_metadata vector length
      [446, [0x40]], // buffers vector length
    ] as const) {
      const body = Buffer.from(valid);
      body.set(bytes, at);
      const started = performance.now();
      const { error } = await outcome('arrow', body);
      expect(error?.code).toBe('MALFORMED_ARROW');
      expect(performance.now() - started).toBeLessThan(100);
    }
  });
});

describe('finding 2: Avro counts larger than the bytes', () => {
  it('refuses the 8-byte body (magic + a count of 10^8) at once, without looping', () => {
    const body = Buffer.from([0x4f, 0x62, 0x6a, 0x01, 0x80, 0x84, 0xaf, 0x5f]);
    const started = performance.now();
    expect(() => avroFrames(body, DEFAULT_UPLOAD_LIMITS)).toThrow(/counts 100000000 entries/);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('finding 6: decompression bomb', () => {
  it('answers 413 UPLOAD_DECODED_TOO_LARGE quoting the client limit for a deflate block that inflates to 200 MiB', async () => {
    const deflate = zlib.createDeflateRaw({ level: 9 });
    const chunks: Buffer[] = [];
    deflate.on('data', (c: Buffer) => chunks.push(c));
    const zeros = Buffer.alloc(2 ** 20);
    for (let i = 0; i < 200; i++) deflate.write(zeros);
    await new Promise((resolve) => deflate.end(resolve));
    const bomb = Buffer.concat(chunks);
    const valid = sampleAvro(1, 1, { codec: 'deflate' });
    // The valid file's header and sync marker around one bomb block.
    const sync = valid.subarray(valid.length - 16);
    const header = valid.subarray(0, valid.indexOf(sync) + 16);
    const zigzag = (n: number): Buffer => {
      const out: number[] = [];
      let v = n * 2;
      while (v >= 0x80) {
        out.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      out.push(v);
      return Buffer.from(out);
    };
    const body = Buffer.concat([header, zigzag(1), zigzag(bomb.length), bomb, sync]);
    expect(body.length).toBeLessThan(300_000);
    const limit = 64 * 2 ** 20;
    const { error } = await outcome('avro', body, { ...DEFAULT_UPLOAD_LIMITS, maxDecodedBytes: limit });
    expect(error?.status).toBe(413);
    expect(error?.code).toBe('UPLOAD_DECODED_TOO_LARGE');
    expect(error?.message).toContain(String(limit));
    expect(error?.message).not.toMatch(/209715200|4294967296|kMaxLength/);
  });
});

describe('finding 9: steps outside 0..2^53-1', () => {
  it.each([
    ['arrow', '-1', sampleArrow(2, 4, -1n)],
    ['arrow', '9007199254740992', sampleArrow(2, 4, 2n ** 53n)],
    ['avro', '-1', sampleAvro(2, 4, { firstStep: -1 })],
  ] as const)('%s: refuses step %s', async (format, shown, body) => {
    const { error } = await outcome(format, body);
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('INVALID_ARGUMENT');
    expect(error?.violations[0]).toMatchObject({ reason: 'STEP_INVALID' });
    expect(error?.message).toContain(shown);
  });

  it('accepts the largest exact step, 2^53-1', async () => {
    const { frames } = await outcome('arrow', sampleArrow(1, 4, 2n ** 53n - 1n));
    expect(frames?.[0]?.step).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('the decode deadline', () => {
  it('stops a decode past its deadline with 422 UPLOAD_DECODE_TIMEOUT, the event loop free, and the pool still decodes', async () => {
    const big = sampleArrow(256, 16_384); // 16 MiB
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const { error } = await outcome('arrow', big, {
      ...DEFAULT_UPLOAD_LIMITS,
      deadlineBaseMs: 1,
      deadlineMsPerMiB: 0,
    });
    lag.disable();
    expect(error?.status).toBe(422);
    expect(error?.code).toBe('UPLOAD_DECODE_TIMEOUT');
    expect(lag.max / 1e6).toBeLessThan(16 * 50);
    expect((await outcome('arrow', sampleArrow(2, 4))).frames).toHaveLength(2);
  });
});
