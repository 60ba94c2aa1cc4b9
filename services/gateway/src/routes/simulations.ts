/**
 * Reading simulations and their results: list, details, and results as JSON pages (cursor
 * paging) or, for `Accept: application/vnd.apache.arrow.stream`, as an Arrow IPC stream
 * relayed chunk by chunk from the query service's export.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { pb } from '@simstream/contracts';
import type { ArrowExport } from '../downstream/query-client.js';
import { clientGone, principalOf, type RouteDeps } from '../http/context.js';
import { COMMON_PROBLEMS, STEP, SimulationIdParams, problems } from '../http/schemas.js';
import {
  RESULT_KINDS,
  resultKindToProto,
  resultView,
  simulationView,
  type ResultKindName,
} from '../json-views.js';
import { HttpError, badRequest } from '../problem.js';

export const ARROW_STREAM = 'application/vnd.apache.arrow.stream';
const security = [{ bearerAuth: [] }];

interface ResultsQuery {
  kind: ResultKindName;
  from_step?: number;
  to_step?: number;
  from_time?: string;
  to_time?: string;
  limit: number;
  cursor?: string;
}

/**
 * Opens an export, counting one that fails before its first byte too (it answers with a
 * problem): rejected for the caller's errors (4xx), error for ours or a downstream's.
 */
async function countFailure<T>(deps: RouteDeps, signal: AbortSignal, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    const rejected = error instanceof HttpError && error.status < 500;
    deps.metrics.exports.inc({ outcome: signal.aborted ? 'cancelled' : rejected ? 'rejected' : 'error' });
    throw error;
  }
}

/**
 * Relays an export's chunks as they come, pulled by the HTTP response (a client that reads
 * slowly holds the gRPC stream, and through its flow control the query service), and counts
 * how it ended: ok once every byte went out, error when the query service failed mid-stream
 * (the response is cut short: a truncated IPC stream, never a complete-looking one), cancelled
 * when the client went away.
 */
function relayArrow(deps: RouteDeps, reply: FastifyReply, { first, stream }: ArrowExport) {
  let failed = false;
  const body = Readable.from(
    (async function* () {
      try {
        if (first !== undefined) yield first;
        for await (const chunk of stream as AsyncIterable<pb.ArrowChunk__Output>) {
          deps.metrics.exportBytes.inc(chunk.data.length);
          yield chunk.data;
        }
      } catch (error) {
        failed = true;
        throw error;
      }
    })(),
  );
  if (first !== undefined) deps.metrics.exportBytes.inc(first.length);
  reply.raw.once('close', () => {
    stream.cancel();
    const outcome = reply.raw.writableFinished ? 'ok' : failed ? 'error' : 'cancelled';
    deps.metrics.exports.inc({ outcome });
    if (failed) deps.logger.warn({ outcome }, 'arrow export cut short by the query service');
  });
  return reply.type(ARROW_STREAM).send(body);
}

export function simulationRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Querystring: { page_size: number; page_token?: string } }>(
    '/v1/simulations',
    {
      config: { scope: 'read' },
      schema: {
        summary: "List the caller's simulations",
        tags: ['simulations'],
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            page_size: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            page_token: { type: 'string', maxLength: 1024 },
          },
        },
        response: {
          200: {
            description:
              'A page of simulations (X-Simstream-Stale-Ms set when served from the last good copy)',
            type: 'object',
            properties: {
              simulations: { type: 'array', items: { $ref: 'Simulation#' } },
              next_page_token: { type: 'string' },
            },
          },
          ...problems(...COMMON_PROBLEMS),
        },
      },
    },
    async (request, reply) => {
      const { tenant } = principalOf(request);
      const answer = await deps.query.listSimulations(
        tenant,
        request.query.page_size,
        request.query.page_token ?? '',
        clientGone(request, reply),
      );
      if (answer.staleMs !== undefined) reply.header('x-simstream-stale-ms', String(answer.staleMs));
      return {
        simulations: answer.value.simulations.map(simulationView),
        next_page_token: answer.value.nextPageToken,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/simulations/:id',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'One simulation',
        tags: ['simulations'],
        security,
        params: SimulationIdParams,
        response: { 200: { $ref: 'Simulation#' }, ...problems(...COMMON_PROBLEMS, 404) },
      },
    },
    async (request, reply) => {
      const answer = await deps.query.getSimulation(
        principalOf(request).tenant,
        request.params.id,
        clientGone(request, reply),
      );
      if (answer.staleMs !== undefined) reply.header('x-simstream-stale-ms', String(answer.staleMs));
      return simulationView(answer.value);
    },
  );

  app.get<{ Params: { id: string }; Querystring: ResultsQuery }>(
    '/v1/simulations/:id/results',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Results of a simulation, by kind and step or time range',
        description:
          'JSON pages ordered by step (follow `next_cursor`), or with `Accept: application/vnd.apache.arrow.stream` ' +
          'one Arrow IPC stream of the whole step range (kind, from_step and to_step only), readable by pyarrow and polars as is.',
        tags: ['simulations'],
        security,
        params: SimulationIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...RESULT_KINDS], default: 'neuromorphic' },
            from_step: STEP,
            to_step: STEP,
            from_time: {
              type: 'string',
              format: 'date-time',
              description: 'produced at or after (ISO 8601)',
            },
            to_time: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            cursor: { type: 'string', maxLength: 1024 },
          },
        },
        response: {
          200: {
            description: 'Results',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    results: { type: 'array', items: { $ref: 'Result#' } },
                    next_cursor: { type: 'string', description: 'empty on the last page' },
                  },
                },
              },
              [ARROW_STREAM]: { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...problems(...COMMON_PROBLEMS, 404),
        },
      },
    },
    async (request, reply) => {
      const { tenant } = principalOf(request);
      const q = request.query;
      const signal = clientGone(request, reply);
      const kind = resultKindToProto(q.kind);
      if ((request.headers.accept ?? '').includes(ARROW_STREAM)) {
        const opened = await countFailure(deps, signal, async () => {
          await deps.query.assertReadable(tenant, request.params.id, signal);
          const unsupported = (['from_time', 'to_time', 'cursor'] as const).filter((k) => q[k] !== undefined);
          if (unsupported.length > 0)
            throw badRequest(
              unsupported.map((k) => ({
                field: `querystring.${k}`,
                reason: 'UNSUPPORTED_WITH_ARROW',
                description: 'Arrow exports take kind, from_step and to_step only',
              })),
            );
          const request_: pb.ExportArrowRequest = { tenant, simulationId: request.params.id, kind };
          if (q.from_step !== undefined) request_.fromStep = q.from_step;
          if (q.to_step !== undefined) request_.toStep = q.to_step;
          return deps.query.exportArrow(request_);
        });
        return relayArrow(deps, reply, opened);
      }
      await deps.query.assertReadable(tenant, request.params.id, signal);
      const list: pb.ListResultsRequest = {
        tenant,
        simulationId: request.params.id,
        kind,
        pageSize: q.limit,
        pageToken: q.cursor ?? '',
      };
      if (q.from_step !== undefined) list.fromStep = q.from_step;
      if (q.to_step !== undefined) list.toStep = q.to_step;
      if (q.from_time !== undefined) list.fromTimeMs = Date.parse(q.from_time);
      if (q.to_time !== undefined) list.toTimeMs = Date.parse(q.to_time);
      const page = await deps.query.listResults(list, signal);
      return { results: page.results.map(resultView), next_cursor: page.nextPageToken };
    },
  );
}
