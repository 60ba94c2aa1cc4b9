/**
 * A minimum receive rate for upload bodies. A body that trickles in (a slow-loris client
 * declaring 64 MiB and sending a byte a second) would hold its share of the upload budget for
 * ever; past a short grace, the bytes so far must average at least `minBytesPerSecond`, and
 * the whole body must arrive within `maxMs`. A body that falls behind is cut with 408
 * UPLOAD_TOO_SLOW (the connection is closed, so the budget is released at once).
 */
import { PassThrough, type Readable } from 'node:stream';
import { HttpError } from '../problem.js';

export interface UploadRatePolicy {
  readonly minBytesPerSecond: number;
  /** No rate is asked for before this (connection set-up, a slow start). */
  readonly graceMs: number;
  /** The whole body, whatever the rate. */
  readonly maxMs: number;
}

/** Why a body is too slow after `elapsedMs` with `bytes` received and `expected` in all (pure). */
export function tooSlow(
  policy: UploadRatePolicy,
  elapsedMs: number,
  bytes: number,
  expected: number,
): 'rate' | 'deadline' | undefined {
  if (bytes >= expected) return undefined;
  if (elapsedMs >= policy.maxMs) return 'deadline';
  if (elapsedMs < policy.graceMs) return undefined;
  return (bytes * 1000) / elapsedMs < policy.minBytesPerSecond ? 'rate' : undefined;
}

export class UploadTooSlowError extends HttpError {
  readonly statusCode = 408;

  constructor(why: 'rate' | 'deadline', policy: UploadRatePolicy) {
    super(
      408,
      'UPLOAD_TOO_SLOW',
      why === 'deadline'
        ? `the body did not arrive within ${Math.round(policy.maxMs / 1000)} s`
        : `the body arrived slower than ${Math.round(policy.minBytesPerSecond / 1024)} KiB/s`,
      { headers: { connection: 'close' }, retriable: true },
    );
  }
}

/**
 * The body stream for the content-type parser, failing with UploadTooSlowError when the
 * client falls behind. `expected` is the declared length (or the route's limit).
 */
export function rateGuarded(
  payload: Readable,
  policy: UploadRatePolicy,
  expected: number,
  checkEveryMs = 250,
): Readable {
  const started = performance.now();
  let bytes = 0;
  const out = new PassThrough();
  const timer = setInterval(() => {
    const why = tooSlow(policy, performance.now() - started, bytes, expected);
    if (why === undefined) return;
    clearInterval(timer);
    payload.unpipe(out);
    // Unread bytes are dropped as they come until the answer closes the connection.
    payload.resume();
    out.destroy(new UploadTooSlowError(why, policy));
  }, checkEveryMs);
  timer.unref();
  payload.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const stop = () => clearInterval(timer);
  payload.once('end', stop);
  payload.once('error', stop);
  payload.once('close', stop);
  out.once('close', stop);
  payload.pipe(out);
  return out;
}
