/**
 * The materializer: the consumer's batch handler for frames and both result topics. Per
 * batch: rows from the records, one Postgres transaction (the first copy of a (simulation,
 * step) wins), then the change announced (caches and tails), then the InfluxDB points of the
 * copies Postgres holds; the handler returns — and the consumer commits the
 * offsets — only after both stores hold the batch. Any store failure is retriable: the
 * partition pauses and the batch is read again, which changes nothing that was already written.
 */
import { RecordName, type Frame, type NeuromorphicResult, type QuantumResult } from '@simstream/contracts';
import { SimstreamError } from '@simstream/errors';
import type { BatchHandler, ConsumedRecord } from '@simstream/kafka';
import type { Logger } from '@simstream/observability';
import { databaseError, withTransaction, type InfluxWriter, type Pool } from '@simstream/storage';
import type { QueryMetrics } from '../metrics.js';
import { planBatch } from './batch-plan.js';
import { framePoints, resultPoints } from './influx-points.js';
import { frameKey, resultKey, writePlan, type SimulationChange } from './pg-writer.js';
import {
  frameRow,
  jobUpdate,
  neuromorphicRow,
  quantumRow,
  type FrameRow,
  type JobUpdate,
  type ResultRow,
} from './rows.js';

export interface MaterializerDeps {
  readonly pool: Pool;
  readonly influx: Pick<InfluxWriter, 'write'>;
  /** Announces committed changes (versions for caches, wake-ups for tails); never throws. */
  readonly announce: (changes: readonly SimulationChange[]) => void;
  readonly metrics: QueryMetrics;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** InfluxDB takes large bodies, but a bounded request keeps timeouts meaningful. */
const INFLUX_POINTS_PER_WRITE = 5000;

export function createMaterializer(deps: MaterializerDeps): BatchHandler {
  const now = deps.now ?? Date.now;
  return async (records: ConsumedRecord[], context) => {
    const started = performance.now();
    const frames: FrameRow[] = [];
    const results: ResultRow[] = [];
    const jobs: JobUpdate[] = [];
    let ignored = 0;
    for (const record of records) {
      if (record.name === RecordName.Frame) {
        frames.push(
          await frameRow(record.value as Frame, {
            partition: record.partition,
            offset: record.firstOffset,
            bytes: record.bytes,
          }),
        );
      } else if (record.name === RecordName.NeuromorphicResult) {
        results.push(neuromorphicRow(record.value as NeuromorphicResult));
      } else if (record.name === RecordName.QuantumResult) {
        const q = record.value as QuantumResult;
        if (q.source === 'job') jobs.push(jobUpdate(q));
        else results.push(quantumRow(q));
      } else {
        ignored++;
      }
    }
    if (ignored > 0) deps.metrics.recordsIgnored.inc(ignored);
    const plan = planBatch(frames, results, jobs);
    await context.heartbeat();

    let outcome;
    try {
      outcome = await withTransaction(deps.pool, (client) => writePlan(client, plan));
    } catch (error) {
      throw error instanceof SimstreamError ? error : databaseError(error, 'materializing a batch');
    }
    for (const [table, c] of outcome.rows) {
      if (c.inserted > 0) deps.metrics.rowsUpserted.inc({ table, outcome: 'inserted' }, c.inserted);
      if (c.kept > 0) deps.metrics.rowsUpserted.inc({ table, outcome: 'kept' }, c.kept);
    }
    if (outcome.jobs.unknown.length > 0) {
      deps.metrics.jobResultsUnknown.inc(outcome.jobs.unknown.length);
      deps.logger.warn({ jobs: outcome.jobs.unknown.slice(0, 10) }, 'results of jobs that have no row');
    }
    // Announced as soon as Postgres has it: readers see it from now on, whatever InfluxDB does.
    if (outcome.changes.length > 0) deps.announce(outcome.changes);

    // Only the copies Postgres holds: a later copy of a (simulation, step) never reaches InfluxDB
    // (its other timestamp would add a second point). The first copy's batch is read again
    // until its points are written, so none is missed.
    const points = [
      ...framePoints(
        plan.frames.filter((f) => outcome.heldFrames.has(frameKey(f.simulationId, f.step, f.frameId))),
      ),
      ...resultPoints(
        plan.results.filter((r) =>
          outcome.heldResults.has(resultKey(r.simulationId, r.kind, r.step, r.producedAtMs)),
        ),
      ),
    ];
    for (let i = 0; i < points.length; i += INFLUX_POINTS_PER_WRITE)
      await deps.influx.write(points.slice(i, i + INFLUX_POINTS_PER_WRITE));
    deps.metrics.influxPoints.inc(points.length);

    const t = now();
    for (const f of plan.frames) deps.metrics.delay.observe({ kind: 'frame' }, (t - f.ingestedAtMs) / 1000);
    for (const r of plan.results) deps.metrics.delay.observe({ kind: r.kind }, (t - r.producedAtMs) / 1000);
    deps.metrics.batchSeconds.observe({ topic: context.topic }, (performance.now() - started) / 1000);
  };
}
