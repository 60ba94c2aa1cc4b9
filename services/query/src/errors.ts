/**
 * The query service's errors and their gRPC statuses. A simulation that does not exist and one
 * of another tenant are the same NOT_FOUND, so that ids of other tenants cannot be probed.
 */
import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js';
import { SimstreamError } from '@simstream/errors';
import { toStatusObject } from '@simstream/rpc';

export class SimulationNotFoundError extends SimstreamError {
  constructor(simulationId: string) {
    super('SIMULATION_NOT_FOUND', `simulation '${simulationId}' not found`);
  }
}

/** Our error as a gRPC status (NOT_FOUND added to the shared mapping of libs/rpc). */
export function grpcStatus(error: unknown): Partial<StatusObject> & { code: Status; details: string } {
  if (error instanceof SimulationNotFoundError) {
    const metadata = new Metadata();
    metadata.set('simstream-reason', error.code);
    return { code: Status.NOT_FOUND, details: error.message, metadata };
  }
  return toStatusObject(error);
}
