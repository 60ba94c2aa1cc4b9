/**
 * The one entry point: an upload body in, frames or an UploadError out. JSON bodies (already
 * parsed, bounded by their size) are checked on the calling thread; Arrow and Avro bytes go to
 * the decode pool with a deadline that grows with the body.
 */
import { DecodePool } from './decode-pool.js';
import { jsonFrames } from './json-frames.js';
import { deadlineMs, type UploadLimits } from './limits.js';
import { UploadError, tooManyFrames } from './upload-error.js';
import type { UploadFormat, UploadFrame } from './upload-frame.js';

let shared: DecodePool | undefined;

/** The process's pool, started on first use (never at import). */
export function sharedDecodePool(): DecodePool {
  shared ??= new DecodePool({ size: 1 });
  return shared;
}

/** The bytes the worker gets: moved when `body` owns its whole ArrayBuffer and may give it up. */
function transferable(body: Uint8Array, giveUp: boolean): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  const owned =
    giveUp &&
    body.byteOffset === 0 &&
    body.byteLength === body.buffer.byteLength &&
    body.byteLength >= 4096 && // smaller Buffers may share Node's pool slab, which cannot move
    body.buffer instanceof ArrayBuffer;
  if (owned) return { bytes: body, transfer: [body.buffer] };
  const copy = new Uint8Array(body.byteLength);
  copy.set(body);
  return { bytes: copy, transfer: [copy.buffer] };
}

export interface DecodeOptions {
  readonly pool?: DecodePool;
  /** Move the body's memory to the worker instead of copying it (the caller's Buffer empties). */
  readonly transferBody?: boolean;
}

export async function decodeUpload(
  format: UploadFormat,
  body: unknown,
  limits: UploadLimits,
  options: DecodeOptions = {},
): Promise<UploadFrame[]> {
  if (format === 'json') {
    const frames = jsonFrames(body);
    if (frames.length > limits.maxFrames) throw tooManyFrames(limits.maxFrames);
    return frames;
  }
  if (!(body instanceof Uint8Array))
    throw new UploadError(415, 'UNSUPPORTED_MEDIA_TYPE', `a ${format} upload is a binary body`);
  const { bytes, transfer } = transferable(body, options.transferBody ?? false);
  const pool = options.pool ?? sharedDecodePool();
  return pool.run({ format, body: bytes, limits }, transfer, deadlineMs(limits, bytes.byteLength));
}
