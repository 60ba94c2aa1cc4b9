/**
 * The one error an upload decoder throws: a stable code (docs/errors.md), the HTTP status it
 * means at an HTTP edge (the gateway maps it; this library knows nothing of HTTP servers) and
 * the field violations when the body is readable but wrong in places.
 */
import { SimstreamError, type FieldViolation } from '@simstream/errors';

/** 400 unreadable or invalid, 413 too large once decoded, 415 unknown format, 422 too costly. */
export type UploadErrorStatus = 400 | 413 | 415 | 422;

export class UploadError extends SimstreamError {
  readonly status: UploadErrorStatus;
  readonly violations: readonly FieldViolation[];

  constructor(
    status: UploadErrorStatus,
    code: string,
    message: string,
    options: { violations?: readonly FieldViolation[]; cause?: unknown } = {},
  ) {
    super(code, message, { retriable: false, cause: options.cause });
    this.status = status;
    this.violations = options.violations ?? [];
  }
}

/** 400 INVALID_ARGUMENT naming each field (the same code the route's JSON schema answers). */
export function invalidUpload(violations: readonly FieldViolation[]): UploadError {
  const first = violations[0];
  const summary = first === undefined ? 'invalid upload' : `${first.field}: ${first.description}`;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  return new UploadError(400, 'INVALID_ARGUMENT', summary + more, { violations: violations.slice(0, 100) });
}

export function malformedArrow(message: string): UploadError {
  return new UploadError(400, 'MALFORMED_ARROW', `body is not an Arrow IPC stream: ${message}`);
}

export function malformedAvro(message: string): UploadError {
  return new UploadError(
    400,
    'MALFORMED_AVRO',
    `body is not an Avro object container file of frames: ${message}`,
  );
}

/** The client's decoded-size limit, never the size an internal buffer reached. */
export function decodedTooLarge(maxDecodedBytes: number): UploadError {
  return new UploadError(
    413,
    'UPLOAD_DECODED_TOO_LARGE',
    `the body decodes to more than ${maxDecodedBytes} bytes, the limit for one upload once decompressed`,
  );
}

/** More frames than one upload may hold, counted before they are built. */
export function tooManyFrames(maxFrames: number): UploadError {
  return new UploadError(413, 'TOO_MANY_FRAMES', `more than ${maxFrames} frames in one upload`);
}
