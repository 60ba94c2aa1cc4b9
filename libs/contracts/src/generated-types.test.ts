import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

describe('generated protobuf types', () => {
  it('are current with proto/ (run `pnpm --filter @simstream/contracts gen:proto` after editing a .proto)', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'simstream-gen-'));
    try {
      execFileSync(process.execPath, [path.join(pkgRoot, 'scripts/gen-proto-types.mjs'), out], {
        stdio: 'pipe',
      });
      const committed = path.join(pkgRoot, 'src/generated');
      expect(files(out).sort()).toEqual(files(committed).sort());
      for (const file of files(out)) {
        expect(readFileSync(path.join(out, file), 'utf8'), file).toBe(
          readFileSync(path.join(committed, file), 'utf8'),
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
