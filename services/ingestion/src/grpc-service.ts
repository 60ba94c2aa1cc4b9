/**
 * The IngestionService handlers on grpc-js: each StreamFrames call becomes a StreamSession;
 * IngestBatch and GetStatus are thin.
 */
import type * as grpc from '@grpc/grpc-js';
import type {
  GetStatusRequestOutput,
  GetStatusResponse,
  IngestBatchRequestOutput,
  IngestBatchResponse,
  StreamFramesRequestOutput,
  StreamFramesResponse,
  IngestionServiceHandlers,
} from '@simstream/contracts';
import { limitReadAhead, toStatusObject } from '@simstream/rpc';
import { ingestBatch, type BatchDeps } from './batch.js';
import { StreamSession, type SessionDeps } from './stream-session.js';

export interface ServiceState {
  readonly ready: () => boolean;
  readonly inFlightBytes: () => number;
}

export function ingestionHandlers(
  deps: SessionDeps & BatchDeps,
  state: ServiceState,
): IngestionServiceHandlers {
  return {
    StreamFrames(call: grpc.ServerDuplexStream<StreamFramesRequestOutput, StreamFramesResponse>) {
      limitReadAhead(call);
      const session = new StreamSession(
        {
          write: (message) => call.write(message),
          end: (error) => {
            if (error === undefined) call.end();
            else call.emit('error', toStatusObject(error));
          },
          pause: () => call.pause(),
          resume: () => call.resume(),
        },
        deps,
      );
      call.on('data', (request: StreamFramesRequestOutput) => session.onMessage(request));
      call.on('end', () => session.onEnd());
      call.on('cancelled', () => session.onCancelled());
      call.on('error', () => session.onCancelled());
    },

    IngestBatch(
      call: grpc.ServerUnaryCall<IngestBatchRequestOutput, IngestBatchResponse>,
      callback: grpc.sendUnaryData<IngestBatchResponse>,
    ) {
      ingestBatch(call.request.frames, deps).then(
        (results) => callback(null, { results }),
        (error: unknown) => callback(toStatusObject(error)),
      );
    },

    GetStatus(
      call: grpc.ServerUnaryCall<GetStatusRequestOutput, GetStatusResponse>,
      callback: grpc.sendUnaryData<GetStatusResponse>,
    ) {
      const simulationId = call.request.simulationId;
      const durable = simulationId === '' ? undefined : deps.progress.lastDurableStep(simulationId);
      void Promise.all([deps.metrics.framesAccepted.get(), deps.metrics.framesRejected.get()]).then(
        ([accepted, rejected]) =>
          callback(null, {
            serverId: deps.serverId,
            ready: state.ready(),
            openStreams: deps.sessions.all.size,
            inFlightBytes: state.inFlightBytes(),
            maxInFlightBytes: deps.processBudget.limit,
            framesAcked: accepted.values[0]?.value ?? 0,
            framesRejected: rejected.values.reduce((sum, v) => sum + v.value, 0),
            simulationId,
            ...(durable === undefined ? {} : { lastDurableStep: durable }),
          }),
      );
    },
  };
}
