import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { choosePnpm, pinnedPnpmVersion, resolvePnpm } from './pnpm.js';
import { ProgramNotStartedError } from './errors.js';

describe('choosePnpm (as ./dev chooses)', () => {
  it('takes the pnpm on PATH when it is the pinned version', () => {
    expect(choosePnpm('10.34.9', { file: '/usr/local/bin/pnpm', version: '10.34.9' })).toEqual({
      command: '/usr/local/bin/pnpm',
      args: [],
      version: '10.34.9',
      via: 'path',
    });
  });

  it('runs the pinned version through npx when PATH has no pnpm, another version, or a broken one', () => {
    const npx = { command: 'npx', args: ['--yes', 'pnpm@10.34.9'], version: '10.34.9', via: 'npx' };
    expect(choosePnpm('10.34.9', undefined)).toEqual(npx);
    expect(choosePnpm('10.34.9', { file: '/usr/bin/pnpm', version: '9.15.0' })).toEqual(npx);
    expect(choosePnpm('10.34.9', { file: '/usr/bin/pnpm', version: undefined })).toEqual(npx);
  });
});

describe('ProgramNotStartedError', () => {
  it('names the program and the reason the system gave', () => {
    const enoent = Object.assign(new Error('spawn pnpm ENOENT'), { code: 'ENOENT' });
    const error = new ProgramNotStartedError('pnpm', enoent);
    expect(error.message).toBe(
      'cannot run pnpm: ENOENT, not found (not on PATH, or the path does not exist)',
    );
    expect([error.code, error.errno, error.cause]).toEqual(['PROGRAM_NOT_STARTED', 'ENOENT', enoent]);
  });
});

describe('resolvePnpm', () => {
  it('runs the pinned pnpm through npx on a PATH without pnpm (a fresh machine)', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const pnpm = await resolvePnpm(root, { PATH: '' });
    expect(pnpm).toEqual({
      command: 'npx',
      args: ['--yes', `pnpm@${pinnedPnpmVersion(root)}`],
      version: pinnedPnpmVersion(root),
      via: 'npx',
    });
    expect(pnpm.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
