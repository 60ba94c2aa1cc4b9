/**
 * The QuantumService handlers on grpc-js. Solve: validate, answer from the cache, or take a
 * solver slot (none free: RESOURCE_EXHAUSTED SOLVER_BUSY; the tenant already running its most:
 * TENANT_SOLVES_LIMIT, so one tenant never holds every slot) and stream throttled best-so-far
 * progress, then one result; the client going away aborts the solve. Jobs: see jobs-api.ts.
 */
import type * as grpc from '@grpc/grpc-js';
import { TENANT_PATTERN, type pb } from '@simstream/contracts';
import { LimitExceededError, ValidationError } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import { Status, errorStatus, toStatusObject } from '@simstream/rpc';
import { cancelJob, getJob, submitJob, type JobsApiDeps } from './jobs-api.js';
import type { QuantumMetrics } from './metrics.js';
import { outcomeOf } from './outcome.js';
import { solutionKey } from './problem-hash.js';
import { solveResultMessage } from './proto-convert.js';
import { validateRequest, type Limits } from './request-problem.js';
import type { SolverSlots } from './solver-slots.js';
import { TenantCounts } from './tenant-counts.js';
import { lookup, remember, runSolver, type SolvingDeps } from './solving.js';

export const TENANT_HEADER = 'x-simstream-tenant';

export interface GrpcDeps extends SolvingDeps {
  readonly slots: SolverSlots;
  readonly limits: Limits;
  readonly progressIntervalMs: number;
  readonly jobs: JobsApiDeps;
  readonly metrics: QuantumMetrics;
  readonly logger: Logger;
  readonly defaultTenant: string;
  readonly trustTenantHeader: boolean;
  /** Direct solves one tenant may run at once here. */
  readonly solvesPerTenant: number;
}

/** The caller's tenant: the request's field, else the trusted header, else the default. */
export function tenantOf(
  field: string,
  metadata: grpc.Metadata,
  deps: Pick<GrpcDeps, 'defaultTenant' | 'trustTenantHeader'>,
): string {
  const header = deps.trustTenantHeader ? metadata.get(TENANT_HEADER)[0] : undefined;
  const tenant = field !== '' ? field : header !== undefined ? String(header) : deps.defaultTenant;
  if (!TENANT_PATTERN.test(tenant)) {
    throw new ValidationError([
      {
        field: field !== '' ? 'tenant' : TENANT_HEADER,
        reason: 'TENANT_INVALID',
        description: `'${tenant.slice(0, 70)}' does not match ${TENANT_PATTERN.source}`,
      },
    ]);
  }
  return tenant;
}

/** Our errors as gRPC statuses; a job of another tenant (or none) is NOT_FOUND (libs/rpc). */
export function statusOf(
  error: unknown,
): Partial<grpc.StatusObject> & { code: grpc.status; details: string } {
  return toStatusObject(error);
}

function reject(deps: GrpcDeps, method: string, error: unknown): ReturnType<typeof statusOf> {
  const status = statusOf(error);
  if (status.code !== Status.INTERNAL && status.code !== Status.UNAVAILABLE) {
    deps.metrics.rejected.inc({ method, reason: errorStatus(error).reason });
  } else {
    deps.logger.warn({ err: error, method }, 'request failed');
  }
  return status;
}

async function solveCall(
  deps: GrpcDeps,
  solving: TenantCounts,
  call: grpc.ServerWritableStream<pb.SolveRequest__Output, pb.SolveUpdate>,
): Promise<void> {
  const request = call.request;
  const tenant = tenantOf(request.tenant, call.metadata, deps);
  const { problem, params } = validateRequest(request.problem, request.params, deps.limits);
  const key = solutionKey(problem.hash, {
    tenant,
    solver: params.solver,
    seed: params.seed,
    timeLimitMs: params.timeLimitMs,
    reads: params.reads ?? null,
    targetEnergy: params.targetEnergy ?? null,
  });
  const cached = await lookup(deps, key, 'grpc', problem.n);
  if (cached !== undefined) {
    call.write({ result: solveResultMessage(cached) });
    call.end();
    return;
  }
  const release = solving.tryTake(tenant, deps.solvesPerTenant);
  if (release === undefined)
    throw new LimitExceededError(
      'QUANTUM_MAX_SOLVES_PER_TENANT',
      `this tenant already runs ${deps.solvesPerTenant} solves, its most; retry when one ends or submit a job`,
      { code: 'TENANT_SOLVES_LIMIT', retriable: true },
    );
  const slot = deps.slots.tryAcquire();
  if (slot === undefined) {
    release();
    throw new LimitExceededError(
      'QUANTUM_MAX_CONCURRENT_SOLVES',
      `all ${deps.slots.size} solver slots are busy; retry later or submit a job`,
      { code: 'SOLVER_BUSY', retriable: true },
    );
  }
  const controller = new AbortController();
  const abort = () => controller.abort();
  call.on('cancelled', abort);
  call.on('close', () => {
    if (call.cancelled) abort();
  });
  try {
    const result = await runSolver(deps, slot.pool, {
      path: 'grpc',
      problem: problem.problem,
      solver: params.solver,
      seed: params.seed,
      timeLimitMs: params.timeLimitMs,
      reads: params.reads,
      targetEnergy: params.targetEnergy,
      signal: controller.signal,
      progressIntervalMs: deps.progressIntervalMs,
      onProgress: (p) => {
        if (!call.cancelled) {
          call.write({ progress: { bestEnergy: p.bestEnergy, elapsedMs: p.elapsedMs, sweeps: p.sweeps } });
        }
      },
    });
    const outcome = outcomeOf(result, problem.kind, problem.hash);
    await remember(deps, key, outcome);
    if (call.cancelled) return;
    call.write({ result: solveResultMessage(outcome) });
    call.end();
  } finally {
    call.off('cancelled', abort);
    slot.release();
    release();
  }
}

export function quantumHandlers(deps: GrpcDeps): pb.QuantumServiceHandlers {
  const solving = new TenantCounts();
  return {
    Solve(call) {
      solveCall(deps, solving, call).catch((error: unknown) => {
        if (!call.cancelled) call.emit('error', reject(deps, 'Solve', error));
      });
    },
    SubmitJob(call, callback) {
      Promise.resolve()
        .then(() => submitJob(deps.jobs, tenantOf(call.request.tenant, call.metadata, deps), call.request))
        .then(
          (job) => callback(null, job),
          (error: unknown) => callback(reject(deps, 'SubmitJob', error)),
        );
    },
    GetJob(call, callback) {
      Promise.resolve()
        .then(() => getJob(deps.jobs, tenantOf(call.request.tenant, call.metadata, deps), call.request.jobId))
        .then(
          (job) => callback(null, job),
          (error: unknown) => callback(reject(deps, 'GetJob', error)),
        );
    },
    CancelJob(call, callback) {
      Promise.resolve()
        .then(() =>
          cancelJob(deps.jobs, tenantOf(call.request.tenant, call.metadata, deps), call.request.jobId),
        )
        .then(
          (job) => callback(null, job),
          (error: unknown) => callback(reject(deps, 'CancelJob', error)),
        );
    },
  };
}
