/**
 * The quantum service on the real stack (ingestion, Kafka, Postgres, Redis):
 * - frames → exactly one partition result per simulation and K-step bucket, also across a
 *   kill -9 of the service mid-run (a bucket solved again in the failure window is an exact
 *   duplicate under the same bucketStep); identical frame data of a second simulation is
 *   served from the cache;
 * - gRPC Solve: progress then the brute-force optimum of a small Max-Cut; bad problems give
 *   INVALID_ARGUMENT with field violations; a client going away stops the solver at once;
 * - jobs: one runs to success (result on the results topic), one is cancelled while running,
 *   one is cancelled while queued and never runs; jobs are visible only to their tenant.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameUploader, type IngestionClient, type ClientFrame } from '@simstream/client';
import { loadQuantumContract, type QuantumResult, type pb } from '@simstream/contracts';
import { endpoints } from '@simstream/infra';
import { TopicName, type KafkaClient } from '@simstream/kafka';
import { createPool, type Pool } from '@simstream/storage';
import {
  endOffsets,
  freePort,
  metricValue,
  readUntil,
  startIngestion,
  testKafka,
  type IngestionProcess,
  ingestionClientFor,
  serviceCredentials,
  startQuantum as startQuantumService,
  type QuantumProcess,
} from '../src/index.js';

const run = randomUUID().slice(0, 8);
const tenant = `qt-${run}`;
const K = 10;

function startQuantum(grpcPort: number): Promise<QuantumProcess> {
  return startQuantumService(
    `qt-${run}`,
    {
      QUANTUM_TENANTS: tenant,
      QUANTUM_EVERY_K_STEPS: String(K),
      QUANTUM_MAX_CONCURRENT_SOLVES: '1',
      QUANTUM_MAX_CONCURRENT_JOBS: '1',
      QUANTUM_MAX_JOB_TIME: '60s',
    },
    grpcPort,
  );
}

/** `field: REASON` of each violation in the trailers (grpc-js joins repeated values with ', '). */
function violationsOf(error: grpc.ServiceError): string[] {
  const text = error.metadata.get('simstream-field-violation').map(String).join(', ');
  return [...text.matchAll(/(?:^|, )([\w.[\]]+): ([A-Z_]+):/g)].map((m) => `${m[1]}: ${m[2]}`);
}

/** A 64×64 field with a bump that moves with `seed`: real structure to partition. */
function frame(step: number, seed = step): ClientFrame {
  const data = new Float32Array(64 * 64);
  const cx = 8 + ((seed * 7) % 48);
  const cy = 8 + ((seed * 13) % 48);
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 64; x++) data[y * 64 + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 60);
  return { step, simTime: step * 0.1, fields: [{ name: 'c', dtype: 'float32', shape: [64, 64], data }] };
}

async function lastBucket(pool: Pool, simulationId: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ bucket_step: string }>(
    'SELECT bucket_step FROM quantum_buckets WHERE simulation_id = $1',
    [simulationId],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].bucket_step);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function upload(client: IngestionClient, simulationId: string, frames: ClientFrame[]): Promise<void> {
  const uploader = new FrameUploader(client, {
    simulationId,
    onReject: (r) => {
      throw new Error(`rejected ${r.reason}`);
    },
  });
  await uploader.start();
  for (const f of frames) await uploader.send(f);
  await uploader.close();
}

function bruteForceMaxCut(n: number, i: number[], j: number[], w: number[]): number {
  let best = 0;
  for (let mask = 0; mask < 1 << (n - 1); mask++) {
    let cut = 0;
    for (let e = 0; e < w.length; e++) if (((mask >> i[e]!) & 1) !== ((mask >> j[e]!) & 1)) cut += w[e]!;
    best = Math.max(best, cut);
  }
  return best;
}

describe('quantum service', () => {
  let kafka: KafkaClient;
  let pool: Pool;
  let ingestion: IngestionProcess;
  let quantum: QuantumProcess;
  let grpcPort: number;
  let client: pb.QuantumServiceClient;
  const contract = loadQuantumContract();

  const unary = <Req, Res>(method: 'SubmitJob' | 'GetJob' | 'CancelJob', request: Req) =>
    new Promise<Res>((resolve, reject) =>
      (client[method] as unknown as (r: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => void)(
        request,
        (error, response) => (error ? reject(error) : resolve(response)),
      ),
    );

  beforeAll(async () => {
    kafka = testKafka();
    pool = createPool({ url: endpoints().databaseUrl, max: 2 });
    grpcPort = await freePort();
    [ingestion, quantum] = await Promise.all([startIngestion(), startQuantum(grpcPort)]);
    client = new contract.proto.simstream.v1.QuantumService(
      quantum.grpcAddress,
      serviceCredentials('gateway'),
    );
  });

  afterAll(async () => {
    client?.close();
    await Promise.all([quantum?.stop(), ingestion?.stop()]);
    await pool?.end();
  });

  it('publishes one result per K-step bucket across a kill -9, and serves identical data from the cache', async () => {
    const simA = `qt-${run}-a`;
    const simB = `qt-${run}-b`;
    const simC = `qt-${run}-c`;
    const steps = Array.from({ length: 30 }, (_, k) => 3 * k); // 0, 3, …, 87: 9 buckets of 10
    const buckets = [...new Set(steps.map((s) => Math.floor(s / K) * K))];
    const from = await endOffsets(kafka, TopicName.quantumResults);
    const ingest = await ingestionClientFor(ingestion.grpcAddress, tenant);

    await upload(
      ingest,
      simA,
      steps.map((s) => frame(s)),
    );
    await waitFor('a few buckets of A', async () => ((await lastBucket(pool, simA)) ?? -1) >= 20);
    await quantum.kill9();
    const atKill = await lastBucket(pool, simA);
    expect(atKill).toBeLessThan(80); // killed mid-run
    quantum = await startQuantum(grpcPort);
    await waitFor('every bucket of A', async () => (await lastBucket(pool, simA)) === 80);

    await upload(ingest, simB, [frame(0, 1234)]);
    await waitFor('B', async () => (await lastBucket(pool, simB)) === 0);
    await upload(ingest, simC, [frame(5, 1234)]);
    await waitFor('C', async () => (await lastBucket(pool, simC)) === 0);
    ingest.close();

    const ours = new Set([simA, simB, simC]);
    const records = await readUntil({
      kafka,
      topic: TopicName.quantumResults,
      from,
      filter: (r) => ours.has(r.key ?? ''),
      until: (rs) => {
        const values = rs.map((r) => r.value as QuantumResult);
        // B and C are in other partitions than A and each other: wait for each (reading stopped
        // at C once, before B's partition was read).
        return (
          values.some((v) => v.simulationId === simA && v.bucketStep === 80) &&
          values.some((v) => v.simulationId === simB) &&
          values.some((v) => v.simulationId === simC)
        );
      },
    });
    const results = records.map((r) => r.value as QuantumResult);
    const ofA = results.filter((r) => r.simulationId === simA);
    expect([...new Set(ofA.map((r) => r.bucketStep))]).toEqual(buckets);
    // A bucket solved twice (the replay window after the kill) is the same answer.
    for (const bucket of buckets) {
      const same = ofA.filter((r) => r.bucketStep === bucket);
      const first = same[0]!;
      expect(first.step).toBe(steps.find((s) => s >= bucket));
      for (const r of same) {
        expect(r.step).toBe(first.step);
        expect(r.problemHash).toBe(first.problemHash);
        expect(r.energy).toBe(first.energy);
        expect(r.solution.equals(first.solution)).toBe(true);
      }
    }
    for (const r of ofA) {
      expect(r).toMatchObject({
        source: 'frame',
        problemKind: 'partition',
        variables: 256,
        stoppedBy: 'completed',
      });
      expect(r.imbalance).toBeLessThan(0.1);
      expect(r.cut).toBeGreaterThan(0);
    }
    const b = results.filter((r) => r.simulationId === simB);
    const c = results.filter((r) => r.simulationId === simC);
    expect(b).toHaveLength(1);
    expect(c).toHaveLength(1);
    expect(b[0]!.cached).toBe(false);
    expect(c[0]!).toMatchObject({ cached: true, bucketStep: 0, step: 5, problemHash: b[0]!.problemHash });
    expect(c[0]!.solution.equals(b[0]!.solution)).toBe(true);
    expect(
      await metricValue(quantum.opsUrl, 'simstream_quantum_cache_requests_total', { result: 'hit' }),
    ).toBeGreaterThanOrEqual(1);
    console.log(
      `quantum frames: ${ofA.length} records for ${buckets.length} buckets of A (last bucket at kill: ${atKill}); ` +
        `solve ${ofA.map((r) => r.totalMs.toFixed(0)).join('/')} ms`,
    );
  });

  it('solves a small Max-Cut over gRPC with progress, to the brute-force optimum', async () => {
    const n = 14;
    const i: number[] = [];
    const j: number[] = [];
    const w: number[] = [];
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        if ((a * 7 + b * 3) % 4 === 0) {
          i.push(a);
          j.push(b);
          w.push(1 + ((a + b) % 5));
        }
      }
    }
    const best = bruteForceMaxCut(n, i, j, w);
    const updates: pb.SolveUpdate__Output[] = [];
    const call = client.Solve({
      tenant,
      problem: { kind: 'PROBLEM_KIND_MAXCUT', variables: n, i, j, value: w },
      params: { solver: 'pt', seed: 1, timeLimitMs: 400 },
    });
    call.on('data', (u: pb.SolveUpdate__Output) => updates.push(u));
    await new Promise((resolve, reject) => call.on('end', resolve).on('error', reject));
    const result = updates.at(-1)!.result!;
    expect(updates.slice(0, -1).length).toBeGreaterThanOrEqual(1);
    expect(updates.slice(0, -1).every((u) => u.progress !== null && u.progress !== undefined)).toBe(true);
    expect(result.cut).toBe(best);
    expect(result.energy).toBe(-best);
    let cut = 0;
    for (let e = 0; e < w.length; e++) if (result.solution[i[e]!] !== result.solution[j[e]!]) cut += w[e]!;
    expect(cut).toBe(best);
    expect(result).toMatchObject({ solver: 'pt', backend: 'cpu', cached: false });
  });

  it('refuses bad problems with INVALID_ARGUMENT and the violations', async () => {
    const call = client.Solve({
      tenant,
      problem: {
        kind: 'PROBLEM_KIND_ISING',
        variables: 3,
        linear: [0, 1],
        i: [0, 1, 0],
        j: [1, 1, 9],
        value: [1, 2, 3],
      },
      params: { solver: 'magic', timeLimitMs: 3_600_000 },
    });
    call.on('data', () => undefined);
    const error = await new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error)).toEqual([
      'problem.linear: LENGTH_MISMATCH',
      'params.solver: SOLVER_UNKNOWN',
      'params.time_limit_ms: TIME_LIMIT_TOO_LONG',
    ]);
    const terms = client.Solve({
      tenant,
      problem: {
        kind: 'PROBLEM_KIND_MAXCUT',
        variables: 3,
        i: [0, 1, 0, 2],
        j: [1, 1, 9, 0],
        value: [1, 2, 3, 4],
      },
    });
    terms.on('data', () => undefined);
    const second = await new Promise<grpc.ServiceError>((resolve) => terms.on('error', resolve));
    expect(second.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(second)).toEqual(['problem.i[1]: SELF_LOOP', 'problem.j[2]: OUT_OF_RANGE']);
  });

  it('stops a solve promptly when the client goes away', async () => {
    const n = 3000;
    const i: number[] = [];
    const j: number[] = [];
    for (let a = 0; a < n; a++) {
      for (const d of [1, 17, 101]) {
        i.push(a);
        j.push((a + d * 3) % n);
      }
    }
    const before = await metricValue(quantum.opsUrl, 'simstream_quantum_solves_total', {
      path: 'grpc',
      outcome: 'cancelled',
    });
    const call = client.Solve({
      tenant,
      problem: { kind: 'PROBLEM_KIND_MAXCUT', variables: n, i, j, value: i.map(() => 1) },
      params: { solver: 'sa', timeLimitMs: 25_000 },
    });
    call.on('error', () => undefined);
    await new Promise((resolve) => call.once('data', resolve));
    expect(await metricValue(quantum.opsUrl, 'simstream_quantum_solves_in_progress', { path: 'grpc' })).toBe(
      1,
    );
    const cancelledAt = Date.now();
    call.cancel();
    await waitFor(
      'the solver to stop',
      async () =>
        (await metricValue(quantum.opsUrl, 'simstream_quantum_solves_in_progress', { path: 'grpc' })) === 0,
      5000,
    );
    const stoppedMs = Date.now() - cancelledAt;
    expect(stoppedMs).toBeLessThan(2000);
    expect(
      await metricValue(quantum.opsUrl, 'simstream_quantum_solves_total', {
        path: 'grpc',
        outcome: 'cancelled',
      }),
    ).toBe(before + 1);
    console.log(`quantum: solve stopped ${stoppedMs} ms after the client cancelled`);
  });

  it('runs a job to success, cancels a running one promptly and never runs a cancelled queued one', async () => {
    const from = await endOffsets(kafka, TopicName.quantumResults);
    const n = 12;
    const i = Array.from({ length: n }, (_, a) => a);
    const j = i.map((a) => (a + 1) % n);
    const w = i.map((a) => 1 + (a % 3));
    const small = { kind: 'PROBLEM_KIND_MAXCUT' as const, variables: n, i, j, value: w };
    const key = `key-${run}`;
    const submitted = await unary<pb.SubmitJobRequest, pb.Job__Output>('SubmitJob', {
      tenant,
      problem: small,
      params: { solver: 'sa', reads: 4 },
      idempotencyKey: key,
    });
    expect(submitted.status).toBe('JOB_STATUS_QUEUED');
    const again = await unary<pb.SubmitJobRequest, pb.Job__Output>('SubmitJob', {
      tenant,
      problem: small,
      params: { solver: 'sa', reads: 4 },
      idempotencyKey: key,
    });
    expect(again.jobId).toBe(submitted.jobId);
    let done: pb.Job__Output | undefined;
    await waitFor('the job to succeed', async () => {
      done = await unary<pb.GetJobRequest, pb.Job__Output>('GetJob', { tenant, jobId: submitted.jobId });
      return done.status === 'JOB_STATUS_SUCCEEDED';
    });
    expect(done!.result!.cut).toBe(bruteForceMaxCut(n, i, j, w));
    await expect(
      unary<pb.GetJobRequest, pb.Job__Output>('GetJob', {
        tenant: `${tenant}-other`,
        jobId: submitted.jobId,
      }),
    ).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const [published] = await readUntil({
      kafka,
      topic: TopicName.quantumResults,
      from,
      filter: (r) => r.key === submitted.jobId,
      until: (rs) => rs.length > 0,
    });
    expect(published!.value).toMatchObject({ source: 'job', jobId: submitted.jobId, cut: done!.result!.cut });

    // A long job holds the only job slot; a second one waits queued and is cancelled there.
    const big = 4000;
    const bi = Array.from({ length: big }, (_, a) => a);
    const long = await unary<pb.SubmitJobRequest, pb.Job__Output>('SubmitJob', {
      tenant,
      problem: {
        kind: 'PROBLEM_KIND_MAXCUT',
        variables: big,
        i: bi,
        j: bi.map((a) => (a * 7 + 1) % big),
        value: bi.map(() => 1),
      },
      params: { solver: 'pt', timeLimitMs: 50_000 },
    });
    await waitFor('the long job to run', async () => {
      const job = await unary<pb.GetJobRequest, pb.Job__Output>('GetJob', { tenant, jobId: long.jobId });
      return job.status === 'JOB_STATUS_RUNNING';
    });
    const queued = await unary<pb.SubmitJobRequest, pb.Job__Output>('SubmitJob', {
      tenant,
      problem: small,
      params: { solver: 'sa', reads: 5 },
    });
    const cancelledQueued = await unary<pb.CancelJobRequest, pb.Job__Output>('CancelJob', {
      tenant,
      jobId: queued.jobId,
    });
    expect(cancelledQueued.status).toBe('JOB_STATUS_CANCELLED');

    const cancelAt = Date.now();
    let cancelled = await unary<pb.CancelJobRequest, pb.Job__Output>('CancelJob', {
      tenant,
      jobId: long.jobId,
    });
    await waitFor(
      'the running job to stop',
      async () => {
        cancelled = await unary<pb.GetJobRequest, pb.Job__Output>('GetJob', { tenant, jobId: long.jobId });
        return cancelled.status === 'JOB_STATUS_CANCELLED';
      },
      5000,
    );
    const cancelMs = Date.now() - cancelAt;
    expect(cancelMs).toBeLessThan(3000);
    expect(cancelled.result?.stoppedBy).toBe('cancelled');

    // The queued job was never started, even after the slot came free.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const never = await unary<pb.GetJobRequest, pb.Job__Output>('GetJob', { tenant, jobId: queued.jobId });
    expect(never).toMatchObject({ status: 'JOB_STATUS_CANCELLED', startedAtMs: 0 });
    console.log(`quantum: running job cancelled in ${cancelMs} ms`);
  });

  it('drains on SIGTERM and exits 0', async () => {
    expect(await quantum.stop()).toBe(0);
  });
});
