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
import { tenantOf } from './call-auth.js';
import { StreamSession, type Caller, type SessionDeps } from './stream-session.js';

export interface ServiceState {
  readonly ready: () => boolean;
  readonly inFlightBytes: () => number;
}

/** The caller as proven by the port's gate (call-auth.ts). */
function callerOf(metadata: grpc.Metadata): Caller {
  return { tenant: tenantOf(metadata) };
}

export function ingestionHandlers(
  deps: SessionDeps & BatchDeps,
  state: ServiceState,
): IngestionServiceHandlers {
  return {
    StreamFrames(call: grpc.ServerDuplexStream<StreamFramesRequestOutput, StreamFramesResponse>) {
      limitReadAhead(call);
      let caller: Caller;
      try {
        caller = callerOf(call.metadata);
      } catch (error) {
        call.emit('error', toStatusObject(error));
        return;
      }
      const session = new StreamSession(
        {
          write: (message) => call.write(message),
          end: (error) => {
            if (error === undefined) call.end();
            else call.emit('error', toStatusObject(error));
          },
          pause: () => call.pause(),
          resume: () => call.resume(),
          canWrite: () => !call.writableNeedDrain,
          onceDrained: (listener) => call.once('drain', listener),
        },
        deps,
        caller,
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
      let caller: Caller;
      try {
        caller = callerOf(call.metadata);
      } catch (error) {
        callback(toStatusObject(error));
        return;
      }
      ingestBatch(call.request.frames, caller.tenant, deps).then(
        (results) => callback(null, { results }),
        (error: unknown) => callback(toStatusObject(error)),
      );
    },

    GetStatus(
      call: grpc.ServerUnaryCall<GetStatusRequestOutput, GetStatusResponse>,
      callback: grpc.sendUnaryData<GetStatusResponse>,
    ) {
      const simulationId = call.request.simulationId;
      // Another tenant's simulation looks exactly like a missing one (no last step).
      const visible = async () =>
        simulationId !== '' && (await deps.ownership.owner(simulationId)) === tenantOf(call.metadata);
      void Promise.all([
        visible(),
        deps.metrics.framesAccepted.get(),
        deps.metrics.framesRejected.get(),
      ]).then(
        ([mine, accepted, rejected]) => {
          const durable = mine ? deps.progress.lastDurableStep(simulationId) : undefined;
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
          });
        },
        (error: unknown) => callback(toStatusObject(error)),
      );
    },
  };
}
