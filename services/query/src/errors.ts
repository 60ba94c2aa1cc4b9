/**
 * The query service's errors and their gRPC statuses. A simulation that does not exist and one
 * of another tenant are the same NOT_FOUND, so that ids of other tenants cannot be probed.
 */
import type { status as Status, StatusObject } from '@grpc/grpc-js';
import { NotFoundError } from '@simstream/errors';
import { toStatusObject } from '@simstream/rpc';

export class SimulationNotFoundError extends NotFoundError {
  constructor(simulationId: string) {
    super('SIMULATION_NOT_FOUND', `simulation '${simulationId}' not found`);
  }
}

/** Our error as a gRPC status (NOT_FOUND comes from the shared mapping of libs/rpc). */
export function grpcStatus(error: unknown): Partial<StatusObject> & { code: Status; details: string } {
  return toStatusObject(error);
}
