/**
 * The demo's API key goes to a file that only its owner can read (0600), whose path the demo
 * prints; the key itself never goes to stdout, where terminals, CI logs and scrollback keep it.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `key` to `<dir>/api-key` (0600, replaced atomically) and returns the file's path. */
export function writeKeyFile(dir: string, key: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, 'api-key');
  // A new file created 0600 and renamed over the old one: the key is never readable by others,
  // not even for a moment when an earlier file had wider permissions.
  const fresh = `${file}.${process.pid}.tmp`;
  writeFileSync(fresh, `${key}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(fresh, file);
  return file;
}
