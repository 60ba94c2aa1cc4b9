/**
 * What one upload may cost: frames, bytes once decompressed, and decoding time. The time a
 * decoder gets grows with the body (a base plus so much per MiB); past it the worker decoding
 * is terminated and the upload refused.
 */

export interface UploadLimits {
  /** Most frames one upload may hold (413 TOO_MANY_FRAMES past it). */
  readonly maxFrames: number;
  /** Most bytes the body may decode to, e.g. inflated Avro blocks (413 UPLOAD_DECODED_TOO_LARGE). */
  readonly maxDecodedBytes: number;
  /** Decoding deadline: this much … */
  readonly deadlineBaseMs: number;
  /** … plus this much per MiB of body (422 UPLOAD_DECODE_TIMEOUT past it). */
  readonly deadlineMsPerMiB: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxFrames: 10_000,
  maxDecodedBytes: 256 * 1024 * 1024,
  deadlineBaseMs: 2_000,
  deadlineMsPerMiB: 50,
};

export function deadlineMs(limits: UploadLimits, bodyBytes: number): number {
  return Math.round(limits.deadlineBaseMs + (limits.deadlineMsPerMiB * bodyBytes) / 2 ** 20);
}
