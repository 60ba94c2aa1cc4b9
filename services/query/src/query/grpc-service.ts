/**
 * The QueryService handlers on grpc-js: unary calls through the QueryEngine, TailResults and
 * ExportArrow as server streams that respect the client's flow control (a `write` that returns
 * false waits for 'drain') and stop when the client goes away.
 */
import { status as Status, type ServerWritableStream, type handleUnaryCall } from '@grpc/grpc-js';
import type { pb } from '@simstream/contracts';
import { CancelledError, LimitExceededError } from '@simstream/errors';
import type { Logger } from '@simstream/observability';
import { grpcStatus } from '../errors.js';
import type { QueryMetrics } from '../metrics.js';
import { exportArrow } from './arrow-export.js';
import { toResult } from './convert.js';
import type { QueryEngine } from './query-engine.js';
import { exportQuery, tailQuery } from './requests.js';
import type { QueryStore, ResultRecord } from './store.js';
import { Waker, runTail } from './tail.js';
import type { TailHub } from './tail-hub.js';

export interface QueryHandlerDeps {
  readonly engine: QueryEngine;
  readonly store: QueryStore;
  readonly hub: TailHub;
  readonly metrics: QueryMetrics;
  readonly logger: Logger;
  readonly tail: {
    readonly pollIntervalMs: () => number;
    readonly maxSubscribers: number;
    readonly pageSize: number;
  };
  readonly exportBatchRows: number;
}

const statusName = (code: number) => Status[code] ?? String(code);

type ExportOutcome = 'ok' | 'rejected' | 'error';

/** rejected: the request could never succeed (invalid, not found); error: it failed here. */
function exportOutcome(error: unknown): ExportOutcome {
  const code = grpcStatus(error).code;
  return code === Status.INVALID_ARGUMENT || code === Status.NOT_FOUND ? 'rejected' : 'error';
}

/** Resolves on 'drain'; rejects when the client cancels meanwhile. */
function drained(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError('client went away'));
    const onDrain = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      call.off('drain', onDrain);
      reject(new CancelledError('client went away'));
    };
    call.once('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function cancellation(call: ServerWritableStream<unknown, unknown>): AbortSignal {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort());
  call.on('error', () => controller.abort());
  if (call.cancelled) controller.abort();
  return controller.signal;
}

export function queryHandlers(deps: QueryHandlerDeps) {
  const { engine, store, metrics } = deps;

  const unary =
    <Req, Res>(rpc: string, run: (request: Req) => Promise<Res>): handleUnaryCall<Req, Res> =>
    (call, callback) => {
      const started = performance.now();
      run(call.request).then(
        (value) => {
          metrics.rpcSeconds.observe({ rpc, code: 'OK' }, (performance.now() - started) / 1000);
          callback(null, value);
        },
        (error: unknown) => {
          const status = grpcStatus(error);
          metrics.rpcSeconds.observe(
            { rpc, code: statusName(status.code) },
            (performance.now() - started) / 1000,
          );
          if (status.code === Status.INTERNAL) deps.logger.error({ err: error, rpc }, 'query failed');
          else if (status.code === Status.UNAVAILABLE) deps.logger.warn({ err: error, rpc }, 'query failed');
          callback(status, null);
        },
      );
    };

  const streaming =
    <Req, Res>(
      rpc: string,
      run: (call: ServerWritableStream<Req, Res>, signal: AbortSignal) => Promise<void>,
    ) =>
    (call: ServerWritableStream<Req, Res>) => {
      const started = performance.now();
      const signal = cancellation(call);
      run(call, signal).then(
        () => {
          metrics.rpcSeconds.observe(
            { rpc, code: signal.aborted ? 'CANCELLED' : 'OK' },
            (performance.now() - started) / 1000,
          );
          if (!signal.aborted) call.end();
        },
        (error: unknown) => {
          const status = grpcStatus(signal.aborted ? new CancelledError('client went away') : error);
          metrics.rpcSeconds.observe(
            { rpc, code: statusName(status.code) },
            (performance.now() - started) / 1000,
          );
          if (status.code === Status.INTERNAL) deps.logger.error({ err: error, rpc }, 'stream failed');
          if (!signal.aborted) call.emit('error', status);
        },
      );
    };

  return {
    ListSimulations: unary<pb.ListSimulationsRequest__Output, pb.ListSimulationsResponse>(
      'ListSimulations',
      (r) => engine.listSimulations(r),
    ),
    GetSimulation: unary<pb.GetSimulationRequest__Output, pb.Simulation>('GetSimulation', (r) =>
      engine.getSimulation(r),
    ),
    ListResults: unary<pb.ListResultsRequest__Output, pb.ListResultsResponse>('ListResults', (r) =>
      engine.listResults(r),
    ),

    TailResults: streaming<pb.TailResultsRequest__Output, pb.Result>('TailResults', async (call, signal) => {
      const q = tailQuery(call.request);
      if (deps.hub.size >= deps.tail.maxSubscribers)
        throw new LimitExceededError(
          'tail-subscribers',
          `this instance serves ${deps.tail.maxSubscribers} tails at most`,
        );
      await engine.visible(q.tenant, q.simulationId);
      const mode = q.latestOnly ? 'latest' : 'all';
      const waker = new Waker();
      // Registered before the first read: nothing committed from now on can be missed.
      const unsubscribe = deps.hub.subscribe(q.simulationId, q.kind, waker);
      metrics.tailSubscribers.inc({ mode });
      try {
        const filter = { simulationId: q.simulationId, kind: q.kind };
        await runTail(
          {
            after: (step, limit) => store.results(filter, step, limit),
            latest: () => store.latest(q.simulationId, q.kind),
          },
          {
            write: (row: ResultRecord) => {
              metrics.tailResults.inc({ mode });
              return call.write(toResult(q.simulationId, q.kind, row));
            },
            drained: () => drained(call, signal),
          },
          waker,
          {
            fromStep: q.fromStep,
            latestOnly: q.latestOnly,
            pageSize: deps.tail.pageSize,
            pollIntervalMs: deps.tail.pollIntervalMs,
            signal,
          },
        );
      } finally {
        unsubscribe();
        metrics.tailSubscribers.dec({ mode });
      }
    }),

    ExportArrow: streaming<pb.ExportArrowRequest__Output, pb.ArrowChunk>(
      'ExportArrow',
      async (call, signal) => {
        metrics.exportsInProgress.inc();
        let outcome: ExportOutcome = 'error';
        try {
          const q = exportQuery(call.request);
          await engine.visible(q.tenant, q.filter.simulationId);
          const batchRows = deps.exportBatchRows;
          async function* pages(): AsyncGenerator<ResultRecord[]> {
            for (let after = -1; !signal.aborted;) {
              const rows = await store.results(q.filter, after, batchRows);
              if (rows.length > 0) yield rows;
              if (rows.length < batchRows) return;
              after = rows[rows.length - 1]!.step;
            }
          }
          const rows = await exportArrow({
            kind: q.filter.kind,
            pages: pages(),
            send: async (bytes) => {
              if (signal.aborted) throw new CancelledError('client went away');
              if (!call.write({ data: bytes })) await drained(call, signal);
              metrics.exportBytes.inc(bytes.length);
            },
          });
          metrics.exportRows.inc(rows);
          outcome = 'ok';
        } catch (error) {
          outcome = exportOutcome(error);
          throw error;
        } finally {
          metrics.exportsInProgress.dec();
          metrics.exports.inc({ outcome: signal.aborted ? 'cancelled' : outcome });
        }
      },
    ),
  };
}
