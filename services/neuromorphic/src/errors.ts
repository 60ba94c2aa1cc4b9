/** Errors of the neuromorphic service; codes are stable and listed in docs/errors.md. */
import { SimstreamError } from '@simstream/errors';

/** A frame no feature vector can be computed from (corrupt data): it goes to the dead-letter topic. */
export class FrameUnusableError extends SimstreamError {
  readonly simulationId: string;
  readonly step: number;
  constructor(simulationId: string, step: number, message: string, cause?: unknown) {
    super('NEURO_FRAME_UNUSABLE', `frame ${simulationId}@${step}: ${message}`, { cause });
    this.simulationId = simulationId;
    this.step = step;
  }
}

/** A record on the frames topic that is not a Frame: it goes to the dead-letter topic. */
export class UnexpectedRecordError extends SimstreamError {
  constructor(name: string, offset: number) {
    super('NEURO_UNEXPECTED_RECORD', `expected a Frame, got ${name} at offset ${offset}`);
  }
}

/**
 * Detector state could not be saved or loaded. Retriable: the partition pauses and re-reads
 * (frames already published are skipped) instead of sending good frames to the dead letters.
 */
export class CheckpointError extends SimstreamError {
  constructor(message: string, cause?: unknown) {
    super('NEURO_CHECKPOINT_FAILED', message, { retriable: true, cause });
  }
}

/**
 * The partition was taken away (rebalance) while its batch was in hand: the work stops without
 * committing; the new owner re-reads from the committed offset.
 */
export class PartitionRevokedError extends SimstreamError {
  constructor(topic: string, partition: number) {
    super('NEURO_PARTITION_REVOKED', `${topic}/${partition} was revoked while its batch was processed`, {
      retriable: true,
    });
  }
}
