import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordName, type QuantumJob, type QuantumResult } from '@simstream/contracts';
import { TopicName, type ConsumedRecord } from '@simstream/kafka';
import { createLogger, createMetricsRegistry } from '@simstream/observability';
import { toJobRecord } from './job-record.js';
import { JobHeldError, JobRunner, JobSlotsFullError, type JobRunnerStore } from './job-runner.js';
import type { JobState } from './job-store.js';
import { QuantumMetrics } from './metrics.js';
import type { OutcomeJson } from './outcome-json.js';
import { validateParams, validateProblem } from './request-problem.js';
import { SolutionCache } from './solution-cache.js';
import { SolverSlots } from './solver-slots.js';

const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});
const LIMITS = { maxVariables: 10_000, maxCouplings: 100_000, maxTimeMs: 60_000, defaultTimeMs: 1000 };
const ME = 'pod-a';

interface Row {
  status: JobState;
  worker: string | null;
  leaseUntil: number;
  cancelRequested: boolean;
  result: OutcomeJson | null;
  error: string | null;
}

/** The jobs table's conditional updates, in memory. */
class FakeStore implements JobRunnerStore {
  readonly rows = new Map<string, Row>();
  add(jobId: string, row: Partial<Row> = {}): void {
    this.rows.set(jobId, {
      status: 'queued',
      worker: null,
      leaseUntil: 0,
      cancelRequested: false,
      result: null,
      error: null,
      ...row,
    });
  }
  claim(jobId: string, worker: string, leaseMs: number) {
    const r = this.rows.get(jobId);
    if (r === undefined || r.cancelRequested) return Promise.resolve(undefined);
    if (r.status !== 'queued' && !(r.status === 'running' && r.leaseUntil < Date.now()))
      return Promise.resolve(undefined);
    Object.assign(r, { status: 'running', worker, leaseUntil: Date.now() + leaseMs });
    return Promise.resolve({ job_id: jobId } as never);
  }
  peek(jobId: string) {
    const r = this.rows.get(jobId);
    return Promise.resolve(
      r === undefined
        ? undefined
        : { status: r.status, leaseValid: r.leaseUntil >= Date.now(), cancelRequested: r.cancelRequested },
    );
  }
  cancelAbandoned(jobId: string) {
    const r = this.rows.get(jobId)!;
    if (r.cancelRequested && (r.status === 'queued' || (r.status === 'running' && r.leaseUntil < Date.now())))
      r.status = 'cancelled';
    return Promise.resolve();
  }
  renew(jobId: string, worker: string, leaseMs: number) {
    const r = this.rows.get(jobId);
    if (r?.worker !== worker || r.status !== 'running') return Promise.resolve(undefined);
    r.leaseUntil = Date.now() + leaseMs;
    return Promise.resolve({ cancelRequested: r.cancelRequested });
  }
  finish(
    jobId: string,
    worker: string,
    status: 'succeeded' | 'failed' | 'cancelled',
    result: OutcomeJson | null,
    error: string | null,
  ) {
    const r = this.rows.get(jobId);
    if (r?.worker !== worker || (r.status !== 'running' && r.status !== status))
      return Promise.resolve(false);
    Object.assign(r, { status, result, error, leaseUntil: 0 });
    return Promise.resolve(true);
  }
  release(jobId: string, worker: string) {
    const r = this.rows.get(jobId);
    if (r?.worker === worker && r.status === 'running')
      Object.assign(r, { status: r.cancelRequested ? 'cancelled' : 'queued', worker: null, leaseUntil: 0 });
    return Promise.resolve();
  }
}

const pools: SolverSlots[] = [];
afterAll(() => Promise.all(pools.map((p) => p.close())));

function setup(slots = 1, extra: { maxPending?: number } = {}) {
  const store = new FakeStore();
  const published: QuantumResult[] = [];
  const solverSlots = new SolverSlots(slots);
  pools.push(solverSlots);
  const metrics = new QuantumMetrics(createMetricsRegistry({ service: 'test', defaultMetrics: false }));
  const data = new Map<string, string>();
  const runner = new JobRunner({
    store,
    slots: solverSlots,
    instanceId: ME,
    limits: LIMITS,
    pollIntervalMs: 20,
    leaseMs: 5000,
    ...extra,
    metrics,
    logger,
    publish: (r) => (published.push(r), Promise.resolve()),
    cache: new SolutionCache(
      {
        get: (k) => Promise.resolve(data.get(k) ?? null),
        set: (k, v) => (data.set(k, v), Promise.resolve('OK')),
      },
      { ttlMs: 1000, timeoutMs: 1000, logger },
    ),
  });
  return { store, published, runner };
}

let nextOffset = 0;
/** A job record: a bipartite Max-Cut of `n` nodes (edges to a+1 and a+3; max cut 2n for even n). */
function jobRecord(
  jobId: string,
  options: { n?: number; reads?: number; timeLimitMs?: number; partition?: number; tenant?: string } = {},
) {
  const n = options.n ?? 8;
  const i = Array.from({ length: 2 * n }, (_, k) => k % n);
  const j = i.map((a, k) => (a + (k < n ? 1 : 3)) % n);
  const problem = validateProblem(
    { kind: 'maxcut', variables: n, linear: [], i, j, value: i.map(() => 1), offset: 0 },
    LIMITS,
  );
  const params = validateParams(
    { solver: 'sa', seed: 1, timeLimitMs: options.timeLimitMs ?? 0, reads: options.reads ?? 0 },
    LIMITS,
  );
  const value: QuantumJob = toJobRecord(jobId, options.tenant ?? 't', problem, params, Date.now());
  const offset = nextOffset++;
  const record: ConsumedRecord = {
    topic: TopicName.quantumJobs,
    partition: options.partition ?? 3,
    offset,
    firstOffset: offset,
    key: jobId,
    name: RecordName.QuantumJob,
    value,
    timestamp: Date.now(),
    bytes: 100,
  };
  return record;
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('JobRunner', () => {
  it('claims a job, runs it in the background, publishes, then marks it succeeded; the offset is held meanwhile', async () => {
    const { store, published, runner } = setup();
    store.add('j1');
    const record = jobRecord('j1', { n: 10, reads: 2 });
    await runner.handle([record]);
    expect(store.rows.get('j1')!.status).toBe('running');
    expect(runner.commitFloor(TopicName.quantumJobs, 3)).toBe(record.offset);
    expect(runner.commitFloor(TopicName.quantumJobs, 4)).toBeUndefined();
    await until(() => store.rows.get('j1')!.status === 'succeeded');
    await until(() => runner.size === 0);
    expect(runner.commitFloor(TopicName.quantumJobs, 3)).toBeUndefined();
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      source: 'job',
      jobId: 'j1',
      problemKind: 'maxcut',
      cut: 20,
      stoppedBy: 'completed',
    });
    expect(store.rows.get('j1')!.result).toMatchObject({ cut: 20, energy: -20 });
    // Read again (a restart before the commit): finished jobs are not run twice.
    await runner.handle([record]);
    expect(runner.size).toBe(0);
    expect(published).toHaveLength(1);
  });

  it('waits for a job another pod holds, and takes it over once its lease has run out', async () => {
    const { store, runner } = setup();
    store.add('j2', { status: 'running', worker: 'pod-b', leaseUntil: Date.now() + 60_000 });
    await expect(runner.handle([jobRecord('j2', { reads: 1 })])).rejects.toBeInstanceOf(JobHeldError);
    store.rows.get('j2')!.leaseUntil = Date.now() - 1;
    await runner.handle([jobRecord('j2', { reads: 1 })]);
    expect(store.rows.get('j2')!.worker).toBe(ME);
    await until(() => store.rows.get('j2')!.status === 'succeeded');
  });

  it('stops a running job within a poll interval of a cancel request, and keeps its best state', async () => {
    const { store, published, runner } = setup();
    store.add('j3');
    await runner.handle([jobRecord('j3', { n: 3000, timeLimitMs: 30_000 })]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const at = Date.now();
    store.rows.get('j3')!.cancelRequested = true;
    await until(() => store.rows.get('j3')!.status === 'cancelled', 5000);
    expect(Date.now() - at).toBeLessThan(1500);
    expect(store.rows.get('j3')!.result).toMatchObject({ stoppedBy: 'cancelled' });
    expect(published).toHaveLength(0);
  });

  it('keeps a job waiting (queued, offset held) while every slot is busy, and pauses the partition past maxPending', async () => {
    const { store, runner } = setup(1, { maxPending: 1 });
    store.add('j4');
    store.add('j5');
    store.add('j5b');
    await runner.handle([jobRecord('j4', { n: 3000, timeLimitMs: 30_000 })]);
    const waiting = jobRecord('j5', { reads: 1 });
    await runner.handle([waiting]);
    expect(store.rows.get('j5')!.status).toBe('queued');
    expect(runner.commitFloor(TopicName.quantumJobs, 3)).toBeLessThan(waiting.offset);
    await expect(runner.handle([jobRecord('j5b', { reads: 1 })])).rejects.toBeInstanceOf(JobSlotsFullError);
    expect(store.rows.get('j5b')!.status).toBe('queued');
    await runner.stop(0);
  });

  it("starts tenant B's short job at once while tenant A's flood of long jobs runs (round-robin, A capped at slots - 1)", async () => {
    const { store, runner } = setup(2);
    const flood = Array.from({ length: 4 }, (_, k) => `a${k}`);
    for (const id of [...flood, 'b0']) store.add(id);
    await runner.handle(flood.map((id) => jobRecord(id, { n: 3000, timeLimitMs: 30_000, tenant: 'A' })));
    expect(flood.map((id) => store.rows.get(id)!.status)).toEqual(['running', 'queued', 'queued', 'queued']);
    const submitted = performance.now();
    await runner.handle([jobRecord('b0', { reads: 1, tenant: 'B' })]);
    await until(() => store.rows.get('b0')!.status === 'succeeded', 5000);
    expect(performance.now() - submitted).toBeLessThan(2000);
    // A's flood still waits its turn behind its own running job.
    expect(store.rows.get('a1')!.status).toBe('queued');
    await runner.stop(0);
  });

  it('puts jobs back in the queue when their partition moves away or the pod stops', async () => {
    const { store, published, runner } = setup(2);
    store.add('j6');
    store.add('j7');
    await runner.handle([jobRecord('j6', { n: 3000, timeLimitMs: 30_000, partition: 1 })]);
    await runner.handle([jobRecord('j7', { n: 3000, timeLimitMs: 30_000, partition: 2, tenant: 'u' })]);
    runner.onAssignment({ [TopicName.quantumJobs]: [2, 5] });
    await until(() => store.rows.get('j6')!.status === 'queued');
    expect(store.rows.get('j6')!.worker).toBeNull();
    expect(store.rows.get('j7')!.status).toBe('running');
    await runner.stop(50);
    expect(store.rows.get('j7')).toMatchObject({ status: 'queued', worker: null });
    expect(published).toHaveLength(0);
  });

  it('fails a job whose record is not valid here, and never runs a cancelled queued one', async () => {
    const { store, runner } = setup();
    store.add('j8');
    store.add('j9', { cancelRequested: true });
    const bad = jobRecord('j8', { reads: 1 });
    (bad.value as QuantumJob).timeLimitMs = 3_600_000;
    await runner.handle([bad, jobRecord('j9', { reads: 1 })]);
    await until(() => store.rows.get('j8')!.status === 'failed');
    expect(store.rows.get('j8')!.error).toMatch(/time_limit_ms/);
    // j9 waited for its tenant's slot (j8), then was found cancelled: never run.
    await until(() => store.rows.get('j9')!.status === 'cancelled');
    expect(store.rows.get('j9')).toMatchObject({ status: 'cancelled', worker: null });
  });
});
