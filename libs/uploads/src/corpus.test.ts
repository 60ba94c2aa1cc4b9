/**
 * Replays the regression corpus (corpus/, see its README): each input that once hung, crashed
 * or was wrongly accepted must end, quickly, in the outcome recorded in corpus/expected.json.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DecodePool } from './decode-pool.js';
import { decodeUpload } from './decode-upload.js';
import { DEFAULT_UPLOAD_LIMITS } from './limits.js';
import { UploadError } from './upload-error.js';
import type { UploadFormat } from './upload-frame.js';

const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../corpus');
const expected = JSON.parse(readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as Record<
  string,
  string
>;
const pool = new DecodePool({ size: 1 });
afterAll(() => pool.close());

describe('regression corpus', () => {
  it.each(Object.entries(expected))('%s ends in %s within a second', async (file, outcome) => {
    const format = file.split('/')[0] as UploadFormat;
    const bytes = readFileSync(path.join(CORPUS, file));
    const body: unknown = format === 'json' ? JSON.parse(bytes.toString('utf8')) : bytes;
    const started = performance.now();
    const result = await decodeUpload(format, body, DEFAULT_UPLOAD_LIMITS, { pool }).then(
      () => 'frames',
      (error: unknown) => (error instanceof UploadError ? error.code : `uncoded: ${String(error)}`),
    );
    expect(result).toBe(outcome);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
