/**
 * @simstream/uploads: frame upload bodies (JSON, Arrow IPC stream, Avro object container)
 * decoded into frames, bounded in time and memory whatever the bytes. Failures are
 * UploadErrors with a code (docs/errors.md) and the HTTP status they mean.
 */
export { decodeUpload, sharedDecodePool, type DecodeOptions } from './decode-upload.js';
export { DecodePool, type DecodePoolOptions } from './decode-pool.js';
export { DEFAULT_UPLOAD_LIMITS, deadlineMs, type UploadLimits } from './limits.js';
export { UploadError, type UploadErrorStatus } from './upload-error.js';
export { guessFormat } from './guess-format.js';
export {
  dataBytes,
  toProtoFrame,
  type UploadField,
  type UploadFormat,
  type UploadFrame,
} from './upload-frame.js';
export type { JsonUpload } from './json-frames.js';
export { FRAME_UPLOAD_SCHEMA } from './avro-frames.js';
