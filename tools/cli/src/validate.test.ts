/**
 * `simstream validate` on the uploads regression corpus and on frames that decode but fail
 * ingestion's validation; and the built CLI's exit status (spawned, as a user runs it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatReport, validateFile } from './validate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CORPUS = path.resolve(here, '../../../libs/uploads/corpus');
const CLI = path.resolve(here, '../dist/main.js');
const expected = JSON.parse(readFileSync(path.join(CORPUS, 'expected.json'), 'utf8')) as Record<
  string,
  string
>;

describe('simstream validate', () => {
  it.each(Object.entries(expected))('reports %s as %s', async (file, outcome) => {
    const report = await validateFile(path.join(CORPUS, file));
    expect(report.valid ? 'frames' : report.code).toBe(outcome);
  });

  it('runs ingestion frame validation on frames that decode (shape against data length)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'simstream-validate-')), 'frames.json');
    const field = { name: 'u', dtype: 'float32', shape: [2, 2], data: Buffer.alloc(8).toString('base64') };
    writeFileSync(file, JSON.stringify({ frames: [{ step: 4, sim_time: 0, fields: [field] }] }));
    const report = await validateFile(file);
    expect(report).toMatchObject({ valid: false, code: 'INVALID_ARGUMENT' });
    expect(formatReport(file, report)).toContain('frame 0 (step 4): fields[0].data SHAPE_MISMATCH');
  });

  it('guesses the format from the first bytes and answers UPLOAD_FORMAT_UNKNOWN otherwise', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'simstream-validate-'));
    writeFileSync(path.join(dir, 'upload.bin'), readFileSync(path.join(CORPUS, 'avro/valid-1.bin')));
    writeFileSync(path.join(dir, 'noise.bin'), Buffer.from('no format here'));
    expect(await validateFile(path.join(dir, 'upload.bin'))).toMatchObject({
      valid: true,
      format: 'avro',
      frames: 1,
    });
    expect(await validateFile(path.join(dir, 'noise.bin'))).toMatchObject({
      valid: false,
      code: 'UPLOAD_FORMAT_UNKNOWN',
    });
  });

  it('exits 0 for a valid file and 1 for a hostile one, within seconds (the built CLI)', async () => {
    const run = promisify(execFile);
    const valid = await run(process.execPath, [CLI, 'validate', path.join(CORPUS, 'avro/valid-1.bin')], {
      timeout: 10_000,
    });
    expect(valid.stdout).toContain('valid avro, 1 frame');
    const started = Date.now();
    const hostile = await run(
      process.execPath,
      [CLI, 'validate', '--format', 'arrow', path.join(CORPUS, 'arrow/custom-metadata-count.bin')],
      {
        timeout: 10_000,
      },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(hostile.code).toBe(1);
    expect(hostile.stdout).toContain('MALFORMED_ARROW');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
