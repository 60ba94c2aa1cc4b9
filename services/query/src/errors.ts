/**
 * The query service's errors and their gRPC statuses. A simulation that does not exist and one
 * of another tenant are the same NOT_FOUND, so that ids of other tenants cannot be probed.
 */
import { Metadata, status as GrpcStatus, type status as Status, type StatusObject } from '@grpc/grpc-js';
import { NotFoundError, UnavailableError } from '@simstream/errors';
import { toStatusObject } from '@simstream/rpc';

export class SimulationNotFoundError extends NotFoundError {
  constructor(simulationId: string) {
    super('SIMULATION_NOT_FOUND', `simulation '${simulationId}' not found`);
  }
}

/**
 * Our error as a gRPC status (NOT_FOUND comes from the shared mapping of libs/rpc). Internal
 * failures (a database error quoting SQL, a bug) and unreachable dependencies answer with a
 * generic message: their text is for our logs, never for a caller.
 */
export function grpcStatus(error: unknown): Partial<StatusObject> & { code: Status; details: string } {
  const status = toStatusObject(error);
  if (status.code === GrpcStatus.INTERNAL || status.code === GrpcStatus.UNKNOWN) {
    const metadata = new Metadata();
    metadata.set('simstream-reason', 'INTERNAL');
    return { code: status.code, details: 'internal error (logged by the query service)', metadata };
  }
  if (status.code === GrpcStatus.UNAVAILABLE && error instanceof UnavailableError)
    return { ...status, details: `${error.dependency} is unavailable; retry later` };
  return status;
}
