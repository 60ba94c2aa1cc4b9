/**
 * Optimisation problems (Ising, QUBO, Max-Cut in sparse form) for the quantum service: solved
 * in the request (JSON answer, or with `Accept: text/event-stream` best-so-far `progress`
 * events then one `result`), or as jobs to submit, poll and cancel. The solve is cancelled when
 * the client goes away. Submitting work needs the `ingest` scope; reading a job, `read`.
 */
import type { FastifyInstance } from 'fastify';
import type { pb } from '@simstream/contracts';
import { clientGone, principalOf, type RouteDeps } from '../http/context.js';
import { COMMON_PROBLEMS, UINT32_MAX, problems } from '../http/schemas.js';
import { streamError } from '../downstream/grpc-errors.js';
import { jobView, solveResultView } from '../json-views.js';
import { HttpError, toProblem } from '../problem.js';
import { SseWriter } from '../sse/sse-writer.js';

interface ProblemBody {
  problem: {
    kind: 'ising' | 'qubo' | 'maxcut';
    variables: number;
    linear?: number[];
    i?: number[];
    j?: number[];
    value?: number[];
    offset?: number;
  };
  params?: { solver?: string; seed?: number; time_limit_ms?: number; reads?: number; target_energy?: number };
  idempotency_key?: string;
}

const numberArray = { type: 'array', items: { type: 'number' } } as const;
const indexArray = { type: 'array', items: { type: 'integer', minimum: 0, maximum: UINT32_MAX } } as const;

const PROBLEM_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['problem'],
  properties: {
    problem: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'variables'],
      description:
        'Sparse: `linear` (h or Q_ii; empty for Max-Cut) and pairwise terms as parallel arrays i, j, value (0-based, each pair once)',
      properties: {
        kind: { type: 'string', enum: ['ising', 'qubo', 'maxcut'] },
        variables: { type: 'integer', minimum: 1, maximum: UINT32_MAX },
        linear: numberArray,
        i: indexArray,
        j: indexArray,
        value: numberArray,
        offset: { type: 'number' },
      },
    },
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        solver: { type: 'string', enum: ['auto', 'sa', 'pt', 'sb-ballistic', 'sb-discrete'] },
        seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        time_limit_ms: {
          type: 'integer',
          minimum: 1,
          maximum: UINT32_MAX,
          description: 'default 1000; at most the service limit',
        },
        reads: { type: 'integer', minimum: 0, maximum: UINT32_MAX },
        target_energy: { type: 'number' },
      },
    },
    idempotency_key: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'jobs: the same key returns the same job',
    },
  },
} as const;

function toProto(body: ProblemBody): { problem: pb.Problem; params: pb.SolverParams } {
  const p = body.problem;
  const params: pb.SolverParams = {
    solver: body.params?.solver ?? 'auto',
    seed: body.params?.seed ?? 0,
    timeLimitMs: body.params?.time_limit_ms ?? 0,
    reads: body.params?.reads ?? 0,
  };
  if (body.params?.target_energy !== undefined) params.targetEnergy = body.params.target_energy;
  return {
    problem: {
      kind: `PROBLEM_KIND_${p.kind.toUpperCase()}` as pb.Problem['kind'],
      variables: p.variables,
      linear: p.linear ?? [],
      i: p.i ?? [],
      j: p.j ?? [],
      value: p.value ?? [],
      offset: p.offset ?? 0,
    },
    params,
  };
}

function ownJob(job: pb.Job__Output, tenant: string, id: string): pb.Job__Output {
  if (job.tenant !== '' && job.tenant !== tenant)
    throw new HttpError(404, 'JOB_NOT_FOUND', `no job '${id}' for this tenant`);
  return job;
}

const JOB_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;
const security = [{ bearerAuth: [] }];

export function optimizeRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post<{ Body: ProblemBody }>(
    '/v1/optimize',
    {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Solve an optimisation problem now',
        description:
          'With `Accept: text/event-stream`: `progress` events ({best_energy, elapsed_ms, sweeps}) then one `result` (or `error`).',
        tags: ['optimisation'],
        security,
        body: PROBLEM_BODY,
        response: {
          200: {
            description: 'The best solution found',
            content: {
              'application/json': { schema: { $ref: 'SolveResult#' } },
              'text/event-stream': { schema: { type: 'string' } },
            },
          },
          ...problems(...COMMON_PROBLEMS, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const { tenant } = principalOf(request);
      const { problem, params } = toProto(request.body);
      const solveRequest: pb.SolveRequest = { tenant, problem, params };
      if (!(request.headers.accept ?? '').includes('text/event-stream'))
        return solveResultView(await deps.quantum.solve(solveRequest, clientGone(request, reply)));

      const release = deps.sseClients.reserve(tenant);
      let call;
      try {
        call = await deps.quantum.openSolve(solveRequest);
      } catch (error) {
        release();
        throw error;
      }
      const writer = new SseWriter(reply.raw, {
        heartbeatMs: deps.config.sseHeartbeatMs,
        latestOnly: true,
        onWritten: () => deps.metrics.sseEvents.inc({ stream: 'optimize' }),
        onDropped: () => deps.metrics.sseDropped.inc({ stream: 'optimize' }),
      });
      deps.metrics.sseClients.inc({ stream: 'optimize' });
      deps.sseClients.track(writer);
      writer.onClose(() => {
        release();
        deps.metrics.sseClients.dec({ stream: 'optimize' });
        call.cancel();
      });
      reply.hijack();
      writer.start();
      deps.metrics.requests.inc({ route: '/v1/optimize', method: 'POST', status: '200' });
      call.on('data', (update: pb.SolveUpdate__Output) => {
        if (update.progress != null)
          writer.event('progress', {
            best_energy: update.progress.bestEnergy,
            elapsed_ms: update.progress.elapsedMs,
            sweeps: update.progress.sweeps,
          });
        if (update.result != null) writer.event('result', solveResultView(update.result));
      });
      call.on('error', (error) => {
        if (writer.isClosed) return;
        writer.event('error', toProblem(streamError('quantum', error)).problem);
        writer.close();
      });
      call.on('end', () => writer.close());
    },
  );

  app.post<{ Body: ProblemBody }>(
    '/v1/jobs',
    {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Submit an optimisation job',
        description:
          'Idempotent with `idempotency_key` (or an Idempotency-Key header): the same key returns the same job.',
        tags: ['optimisation'],
        security,
        body: PROBLEM_BODY,
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
        response: { 202: { $ref: 'Job#' }, ...problems(...COMMON_PROBLEMS, 413, 415) },
      },
    },
    async (request, reply) => {
      const { tenant } = principalOf(request);
      const { problem, params } = toProto(request.body);
      const header = request.headers['idempotency-key'];
      const idempotencyKey = request.body.idempotency_key ?? (typeof header === 'string' ? header : '');
      const job = await deps.quantum.submitJob(
        { tenant, problem, params, idempotencyKey },
        clientGone(request, reply),
      );
      reply.code(202).header('location', `/v1/jobs/${encodeURIComponent(job.jobId)}`);
      return jobView(job);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'An optimisation job',
        tags: ['optimisation'],
        security,
        params: JOB_PARAMS,
        response: { 200: { $ref: 'Job#' }, ...problems(...COMMON_PROBLEMS, 404) },
      },
    },
    async (request, reply) => {
      const { tenant } = principalOf(request);
      const job = await deps.quantum.getJob(tenant, request.params.id, clientGone(request, reply));
      return jobView(ownJob(job, tenant, request.params.id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Cancel an optimisation job',
        tags: ['optimisation'],
        security,
        params: JOB_PARAMS,
        response: { 200: { $ref: 'Job#' }, ...problems(...COMMON_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const { tenant } = principalOf(request);
      const job = await deps.quantum.cancelJob(tenant, request.params.id);
      return jobView(ownJob(job, tenant, request.params.id));
    },
  );
}
