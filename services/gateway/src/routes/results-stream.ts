/**
 * Live results as Server-Sent Events: `event: result`, `id: <step>`, `data: <Result JSON>`.
 * With `from_step` (or a `Last-Event-ID` header, from EventSource reconnecting), history from
 * that step comes first, then the live tail without a gap; without, only new results;
 * `latest_only` sends only the newest result whenever it changes and ignores Last-Event-ID.
 *
 * A stream may be opened before its simulation exists (a dashboard opened before the run) with
 * `wait=true`: the stream opens at once for any id and delivers once the caller may read the
 * simulation, from its first result unless told otherwise (simulation-start.ts: another tenant's
 * id waits and delivers nothing, the same as an id never used). Without `wait`, an id the
 * caller cannot read is 404, as everywhere else.
 */
import type { FastifyInstance } from 'fastify';
import type { pb } from '@simstream/contracts';
import { principalOf, type RouteDeps } from '../http/context.js';
import { COMMON_PROBLEMS, STEP, SimulationIdParams, problems } from '../http/schemas.js';
import { RESULT_KINDS, resultKindToProto, type ResultKindName } from '../json-views.js';
import { HttpError, badRequest, toProblem } from '../problem.js';
import { untilReadable } from '../sse/simulation-start.js';
import { SseWriter } from '../sse/sse-writer.js';

interface StreamQuery {
  kind: ResultKindName;
  from_step?: number;
  latest_only: boolean;
  wait: boolean;
}

const notFound = (error: unknown) => error instanceof HttpError && error.status === 404;

function lastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header[0]! : header;
  if (!/^\d{1,16}$/.test(text))
    throw badRequest([
      {
        field: 'headers.last-event-id',
        reason: 'LAST_EVENT_ID_INVALID',
        description: 'must be the step of the last event received',
      },
    ]);
  return Number(text);
}

export function resultStreamRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get<{ Params: { id: string }; Querystring: StreamQuery }>(
    '/v1/simulations/:id/results/stream',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Live results (Server-Sent Events)',
        description:
          'Events: `result` (id = step, data = Result JSON), `error` (data = problem; the stream then ends and a client ' +
          'reconnects with Last-Event-ID), heartbeats as comment lines. Resume: send Last-Event-ID (or from_step) to get ' +
          'history from the next step, then the live tail without a gap.',
        tags: ['simulations'],
        security: [{ bearerAuth: [] }],
        params: SimulationIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: [...RESULT_KINDS], default: 'neuromorphic' },
            from_step: STEP,
            latest_only: { type: 'boolean', default: false },
            wait: {
              type: 'boolean',
              default: false,
              description:
                'open the stream even if the simulation has not started; results come once it has and belongs to the ' +
                "caller (from its first result unless from_step or Last-Event-ID say otherwise); another tenant's id waits forever",
            },
          },
        },
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', description: 'step of the last event received' } },
        },
        response: {
          200: {
            description: 'An event stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...problems(...COMMON_PROBLEMS, 404),
        },
      },
    },
    async (request, reply) => {
      const { tenant } = principalOf(request);
      const { id } = request.params;
      const q = request.query;
      const resumeAfter = q.latest_only ? undefined : lastEventId(request.headers['last-event-id']);
      const fromStep = resumeAfter !== undefined ? resumeAfter + 1 : q.from_step;
      // Readable now? With wait=true, "not found" means "not started yet" (or not ours).
      const readable = (signal?: AbortSignal) =>
        deps.query.assertReadable(tenant, id, signal).then(
          () => true,
          (error: unknown) => {
            if (q.wait && notFound(error)) return false;
            throw error;
          },
        );
      const started = await readable();
      const release = deps.sseClients.reserve(tenant);
      const writer = new SseWriter(reply.raw, {
        heartbeatMs: deps.config.sseHeartbeatMs,
        latestOnly: q.latest_only,
        onDropped: () => deps.metrics.sseDropped.inc({ stream: 'results' }),
        onWritten: () => deps.metrics.sseEvents.inc({ stream: 'results' }),
      });
      const tail: pb.TailResultsRequest & { tenant: string } = {
        tenant,
        simulationId: id,
        kind: resultKindToProto(q.kind),
        latestOnly: q.latest_only,
      };
      // A stream that waited for the start sees the run from its first result.
      const from = fromStep ?? (started || q.latest_only ? undefined : 0);
      if (from !== undefined) tail.fromStep = from;
      if (started) {
        try {
          await deps.resultStreams.subscribe(tail, writer);
        } catch (error) {
          release();
          throw error;
        }
      }
      deps.metrics.sseClients.inc({ stream: 'results' });
      deps.sseClients.track(writer);
      const gone = new AbortController();
      writer.onClose(() => {
        gone.abort();
        release();
        deps.metrics.sseClients.dec({ stream: 'results' });
      });
      // From here the response is ours, not Fastify's: headers now, events as they come.
      reply.hijack();
      if (writer.isClosed) return;
      writer.start();
      deps.metrics.requests.inc({ route: request.routeOptions.url ?? '', method: 'GET', status: '200' });
      if (started) return;

      const waitForStart = async () => {
        deps.metrics.sseWaiting.inc();
        try {
          return await untilReadable(() => readable(gone.signal), deps.config.sseWaitPollMs, gone.signal);
        } finally {
          deps.metrics.sseWaiting.dec();
        }
      };
      try {
        if (await waitForStart()) await deps.resultStreams.subscribe(tail, writer);
      } catch (error) {
        // Headers are gone: the failure is an event (a no-op once the client left); it reconnects.
        writer.event('error', toProblem(error, request.url).problem);
        writer.close();
      }
    },
  );
}
