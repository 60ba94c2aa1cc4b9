/**
 * A per-service lock file so that two `infra` invocations (a developer's shell and a test run,
 * say) never start the same service twice. A lock whose holder process is gone is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { BusyError } from './errors.js';
import { isAlive, sleep } from './process-control.js';

/** Runs `work` while holding the lock at `path`; waits up to `waitMs` for another holder. */
export async function withFileLock<T>(
  path: string,
  service: string,
  waitMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (!Number.isInteger(holder) || holder <= 0 || !(await isAlive(holder))) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new BusyError(service, holder);
      await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}
