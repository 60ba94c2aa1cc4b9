/** Errors of the spiking detector; codes are stable and documented with the other codes. */
import { SimstreamError } from '@simstream/errors';

/** Exported state that cannot be restored here: wrong format, version or configuration. */
export class StateMismatchError extends SimstreamError {
  readonly streamId: string;
  constructor(streamId: string, message: string) {
    super('NEURO_STATE_MISMATCH', `state for stream '${streamId}': ${message}`);
    this.streamId = streamId;
  }
}

/** A step's batch does not fit the detector: unknown dimension, repeated stream, bad numbers. */
export class BatchError extends SimstreamError {
  constructor(message: string) {
    super('NEURO_BAD_BATCH', message);
  }
}
