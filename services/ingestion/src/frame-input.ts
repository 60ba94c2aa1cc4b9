/**
 * Conversions between the protobuf messages of the ingestion API and our domain values.
 */
import type {
  IncomingFrame,
  ProtoFrameOutput,
  StreamFramesResponse,
  FrameResult,
} from '@simstream/contracts';
import type { ErrorStatus } from '@simstream/rpc';
import type { FrameAckInfo } from './ingestor.js';

/** A protobuf frame as our validation input; an empty simulation id inherits the stream's. */
export function incomingFrame(frame: ProtoFrameOutput, streamSimulationId?: string): IncomingFrame {
  return {
    simulationId:
      frame.simulationId === '' && streamSimulationId !== undefined ? streamSimulationId : frame.simulationId,
    step: frame.step,
    simTime: frame.simTime,
    fields: frame.fields.map((f) => ({
      name: f.name,
      dtype: f.dtype,
      shape: f.shape,
      codec: f.codec,
      data: f.data,
    })),
    attributes: frame.attributes,
  };
}

export function dataBytes(frame: ProtoFrameOutput): number {
  let bytes = 0;
  for (const field of frame.fields) bytes += field.data.length;
  return bytes;
}

export function ackMessage(ack: FrameAckInfo): StreamFramesResponse & FrameResult {
  return {
    ack: {
      simulationId: ack.simulationId,
      step: ack.step,
      partition: ack.partition,
      offset: ack.offset,
      chunks: ack.chunks,
      lastDurableStep: ack.lastDurableStep,
    },
  };
}

export function rejectionMessage(
  simulationId: string,
  step: number,
  status: ErrorStatus,
): StreamFramesResponse & FrameResult {
  return {
    rejected: {
      simulationId,
      step,
      code: status.code,
      reason: status.reason,
      message: status.message,
      violations: status.violations.map((v) => ({
        field: v.field,
        reason: v.reason,
        description: v.description,
      })),
    },
  };
}
