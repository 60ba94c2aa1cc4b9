/**
 * The quantum service shared by tenants (real Kafka, Postgres, Redis; two job slots, two solver
 * slots): tenant A floods long jobs and tenant B's short job still starts at once and finishes
 * while A's run (fair queue: round-robin, A holds at most one of the two slots); A's jobs past
 * its cap are refused (TENANT_JOBS_LIMIT); A's second direct solve is refused
 * (TENANT_SOLVES_LIMIT) while B's solve runs.
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQuantumContract, type pb } from '@simstream/contracts';
import {
  freePort,
  metricValue,
  serviceCredentials,
  type ServiceProcess,
  startQuantum,
} from '../src/index.js';

const run = randomUUID().slice(0, 8);
const A = `qfa-${run}`;
const B = `qfb-${run}`;
const MAX_JOBS = 5;

const big = 4000;
const bi = Array.from({ length: big }, (_, a) => a);
const LONG: pb.Problem = {
  kind: 'PROBLEM_KIND_MAXCUT',
  variables: big,
  i: bi,
  j: bi.map((a) => (a * 7 + 1) % big),
  value: bi.map(() => 1),
};
const si = Array.from({ length: 12 }, (_, a) => a);
const SHORT: pb.Problem = {
  kind: 'PROBLEM_KIND_MAXCUT',
  variables: 12,
  i: si,
  j: si.map((a) => (a + 1) % 12),
  value: si.map(() => 1),
};

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('quantum: tenants share the solver fairly', () => {
  let quantum: ServiceProcess;
  let client: pb.QuantumServiceClient;
  const contract = loadQuantumContract();
  const aJobs: string[] = [];

  const unary = <Req, Res>(method: 'SubmitJob' | 'GetJob' | 'CancelJob', request: Req) =>
    new Promise<Res>((resolve, reject) =>
      (client[method] as unknown as (r: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => void)(
        request,
        (error, response) => (error ? reject(error) : resolve(response)),
      ),
    );
  const submit = (tenant: string, problem: pb.Problem, params: pb.SolverParams) =>
    unary<pb.SubmitJobRequest, pb.Job__Output>('SubmitJob', { tenant, problem, params });
  const status = async (tenant: string, jobId: string) =>
    (await unary<pb.GetJobRequest, pb.Job__Output>('GetJob', { tenant, jobId })).status;

  beforeAll(async () => {
    const grpcPort = await freePort();
    quantum = await startQuantum(
      `qf-${run}`,
      {
        QUANTUM_TENANTS: `none-${run}`,
        QUANTUM_MAX_CONCURRENT_SOLVES: '2',
        QUANTUM_MAX_CONCURRENT_JOBS: '2',
        QUANTUM_MAX_JOBS_PER_TENANT: String(MAX_JOBS),
        QUANTUM_MAX_JOB_TIME: '60s',
      },
      grpcPort,
    );
    client = new contract.proto.simstream.v1.QuantumService(
      `127.0.0.1:${grpcPort}`,
      serviceCredentials('gateway'),
    );
  });

  afterAll(async () => {
    for (const jobId of aJobs)
      await unary<pb.CancelJobRequest, pb.Job__Output>('CancelJob', { tenant: A, jobId }).catch(
        () => undefined,
      );
    client?.close();
    await quantum?.stop();
  });

  it("starts tenant B's short job promptly while tenant A's long jobs run, and caps A's jobs", async () => {
    for (let k = 0; k < 4; k++)
      aJobs.push((await submit(A, LONG, { solver: 'pt', timeLimitMs: 30_000, seed: k, reads: 0 })).jobId);
    await until('a job of A to run', async () => (await status(A, aJobs[0]!)) === 'JOB_STATUS_RUNNING');
    const submitted = performance.now();
    const short = await submit(B, SHORT, { solver: 'sa', reads: 2, seed: 1, timeLimitMs: 100 });
    let started = 0;
    await until('B’s job to succeed', async () => {
      const s = await status(B, short.jobId);
      if (started === 0 && s !== 'JOB_STATUS_QUEUED') started = performance.now();
      return s === 'JOB_STATUS_SUCCEEDED';
    });
    const finishedMs = Math.round(performance.now() - submitted);
    const startedMs = Math.round(started - submitted);
    expect(finishedMs).toBeLessThan(5000);
    // This instance runs one of A's jobs (A's cap: slots - 1), however many A queued. (Other
    // quantum instances on the shared stack read the same jobs topic and may run others.)
    expect(await metricValue(quantum.opsUrl, 'simstream_quantum_jobs_running')).toBe(1);
    const states = await Promise.all(aJobs.map((id) => status(A, id)));
    expect(states.filter((s) => s === 'JOB_STATUS_QUEUED').length).toBeGreaterThan(0);
    console.log(
      `quantum fairness: B's short job started after ${startedMs} ms, succeeded after ${finishedMs} ms while A's 4 long jobs ran or waited`,
    );

    aJobs.push((await submit(A, SHORT, { solver: 'sa', reads: 1, seed: 9, timeLimitMs: 100 })).jobId);
    await expect(submit(A, SHORT, { solver: 'sa', reads: 1, seed: 10, timeLimitMs: 100 })).rejects.toSatisfy(
      (e: grpc.ServiceError) =>
        e.code === grpc.status.RESOURCE_EXHAUSTED &&
        e.metadata.get('simstream-reason')[0] === 'TENANT_JOBS_LIMIT',
    );
  });

  it("refuses tenant A's second direct solve (TENANT_SOLVES_LIMIT) while tenant B's solve runs", async () => {
    const first = client.Solve({
      tenant: A,
      problem: LONG,
      params: { solver: 'sa', timeLimitMs: 20_000, seed: 1, reads: 0 },
    });
    first.on('error', () => undefined);
    await new Promise<void>((resolve) => first.once('data', () => resolve()));
    const second = await new Promise<grpc.ServiceError | undefined>((resolve) => {
      const call = client.Solve({
        tenant: A,
        problem: SHORT,
        params: { solver: 'sa', timeLimitMs: 100, seed: 1, reads: 0 },
      });
      call.on('data', () => undefined);
      call.on('error', resolve);
      call.on('end', () => resolve(undefined));
    });
    expect(second?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(second?.metadata.get('simstream-reason')[0]).toBe('TENANT_SOLVES_LIMIT');
    const results: pb.SolveUpdate__Output[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = client.Solve({
        tenant: B,
        problem: SHORT,
        params: { solver: 'sa', timeLimitMs: 100, seed: 1, reads: 0 },
      });
      call.on('data', (u: pb.SolveUpdate__Output) => results.push(u));
      call.on('error', reject);
      call.on('end', resolve);
    });
    expect(results.at(-1)?.result?.cut).toBeGreaterThan(0);
    first.cancel();
  });

  it('never lets concurrent submits of one tenant pass its cap together (one transaction lock per tenant)', async () => {
    const C = `c-${run}`;
    const answers = await Promise.allSettled(
      Array.from({ length: MAX_JOBS + 4 }, (_, k) =>
        submit(C, LONG, { solver: 'pt', timeLimitMs: 30_000, seed: 100 + k, reads: 0 }),
      ),
    );
    const accepted = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value.jobId] : []));
    for (const jobId of accepted)
      await unary<pb.CancelJobRequest, pb.Job__Output>('CancelJob', { tenant: C, jobId });
    expect(accepted.length).toBe(MAX_JOBS);
    for (const a of answers)
      if (a.status === 'rejected')
        expect((a.reason as grpc.ServiceError).metadata.get('simstream-reason')[0]).toBe('TENANT_JOBS_LIMIT');
  });
});
