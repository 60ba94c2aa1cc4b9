import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rateGuarded, tooSlow, UploadTooSlowError } from './upload-rate.js';

const policy = { minBytesPerSecond: 1024, graceMs: 100, maxMs: 1000 };

describe('upload rate', () => {
  it('asks for no rate during the grace, then the average rate, and the whole body by the deadline', () => {
    expect(tooSlow(policy, 50, 0, 10_000)).toBeUndefined();
    expect(tooSlow(policy, 500, 100, 10_000)).toBe('rate');
    expect(tooSlow(policy, 500, 1000, 10_000)).toBeUndefined();
    expect(tooSlow(policy, 1000, 9999, 10_000)).toBe('deadline');
    expect(tooSlow(policy, 5000, 10_000, 10_000)).toBeUndefined();
  });

  it('cuts a trickling body with 408 UPLOAD_TOO_SLOW and passes a prompt one through', async () => {
    const trickle = new Readable({ read() {} });
    trickle.push(Buffer.alloc(1));
    const guarded = rateGuarded(trickle, policy, 64 * 1024 * 1024, 20);
    const error = await new Promise<unknown>((resolve) => {
      guarded.on('error', resolve);
      guarded.resume();
    });
    expect(error).toBeInstanceOf(UploadTooSlowError);
    expect(error).toMatchObject({ status: 408, statusCode: 408, code: 'UPLOAD_TOO_SLOW' });

    const body = Buffer.alloc(4096, 7);
    const prompt = rateGuarded(Readable.from([body]), policy, body.length, 20);
    const chunks: Buffer[] = [];
    for await (const chunk of prompt) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(body);
  });
});
