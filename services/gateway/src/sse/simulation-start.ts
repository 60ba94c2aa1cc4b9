/**
 * Waiting for a simulation to start, for a live stream opened before it (a dashboard opened
 * before the run): asks whether the caller may read the simulation, again every interval, until
 * it may or the client goes away. "Not yet" and "another tenant's" are the same answer here
 * (SIMULATION_NOT_FOUND), so a waiting stream never tells which ids exist, and a stream for
 * another tenant's id waits without ever delivering anything.
 */

/** True once readable, false while not found; throws on anything else (query down …). */
export type ReadableProbe = () => Promise<boolean>;

/** Resolves true once `probe` says readable, false when `signal` aborts first. */
export async function untilReadable(
  probe: ReadableProbe,
  intervalMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  while (!signal.aborted) {
    if (await probe()) return !signal.aborted;
    if (signal.aborted) break; // while the probe ran: no 'abort' event will come again
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, intervalMs);
      signal.addEventListener('abort', done, { once: true });
    });
  }
  return false;
}
