/**
 * IngestBatch: the frames of one call validated and written together; one result per frame,
 * in order, returned once every accepted frame is durable. Steps must increase per simulation
 * within the call and beyond the simulation's last durable step.
 */
import { randomUUID } from 'node:crypto';
import {
  validateFrame,
  type FrameLimits,
  type ProtoFrameOutput,
  type FrameResult,
  type ValidFrame,
} from '@simstream/contracts';
import { FailedPreconditionError } from '@simstream/errors';
import { errorStatus } from '@simstream/rpc';
import type { Ingestor } from './ingestor.js';
import type { IngestMetrics } from './metrics.js';
import type { ProgressStore } from './progress.js';
import { ackMessage, dataBytes, incomingFrame, rejectionMessage } from './frame-input.js';

export interface BatchDeps {
  readonly ingestor: Ingestor;
  readonly progress: ProgressStore;
  readonly limits: FrameLimits;
  readonly metrics: IngestMetrics;
}

export async function ingestBatch(
  frames: readonly ProtoFrameOutput[],
  tenant: string,
  deps: BatchDeps,
): Promise<FrameResult[]> {
  const orderingKey = randomUUID();
  const lastStep = new Map<string, number>();
  const pending: Promise<FrameResult>[] = [];
  for (const frame of frames) {
    const bytes = dataBytes(frame);
    deps.metrics.framesReceived.inc();
    deps.metrics.bytesReceived.inc(bytes);
    const reject = (step: number, error: unknown): FrameResult => {
      const status = errorStatus(error);
      deps.metrics.framesRejected.inc({ reason: status.reason });
      return rejectionMessage(frame.simulationId, step, status);
    };
    let valid: ValidFrame;
    try {
      valid = await validateFrame(incomingFrame(frame), deps.limits);
    } catch (error) {
      pending.push(Promise.resolve(reject(frame.step, error)));
      continue;
    }
    const previous =
      lastStep.get(valid.simulationId) ?? deps.progress.lastDurableStep(valid.simulationId) ?? -1;
    if (valid.step <= previous) {
      pending.push(
        Promise.resolve(
          reject(
            valid.step,
            new FailedPreconditionError(
              'STEP_NOT_INCREASING',
              `step ${valid.step} is not after step ${previous} of '${valid.simulationId}'`,
            ),
          ),
        ),
      );
      continue;
    }
    lastStep.set(valid.simulationId, valid.step);
    pending.push(
      deps.ingestor.write(valid, tenant, { orderingKey }).then(
        (ack) => {
          deps.metrics.framesAccepted.inc();
          deps.metrics.bytesAccepted.inc(bytes);
          return ackMessage(ack);
        },
        (error: unknown) => reject(valid.step, error),
      ),
    );
  }
  return Promise.all(pending);
}
