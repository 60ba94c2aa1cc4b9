/**
 * The IngestionService handlers on grpc-js: each StreamFrames call becomes a StreamSession;
 * IngestBatch and GetStatus are thin.
 */
import type * as grpc from '@grpc/grpc-js';
import { TENANT_PATTERN } from '@simstream/contracts';
import { ValidationError } from '@simstream/errors';
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
import { StreamSession, type Caller, type SessionDeps } from './stream-session.js';

export interface ServiceState {
  readonly ready: () => boolean;
  readonly inFlightBytes: () => number;
  readonly defaultTenant: string;
  readonly trustTenantHeader: boolean;
}

export const TENANT_HEADER = 'x-simstream-tenant';

/** The caller's tenant: from the trusted header when present and allowed, else the default. */
export function callerOf(metadata: grpc.Metadata, state: ServiceState): Caller {
  const header = state.trustTenantHeader ? metadata.get(TENANT_HEADER)[0] : undefined;
  if (header === undefined) return { tenant: state.defaultTenant };
  const tenant = String(header);
  if (!TENANT_PATTERN.test(tenant)) {
    throw new ValidationError([
      {
        field: TENANT_HEADER,
        reason: 'TENANT_INVALID',
        description: `'${tenant.slice(0, 70)}' does not match ${TENANT_PATTERN.source}`,
      },
    ]);
  }
  return { tenant };
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
        caller = callerOf(call.metadata, state);
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
        caller = callerOf(call.metadata, state);
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
