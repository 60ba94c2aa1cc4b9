/**
 * TEST DOUBLES AT THE GATEWAY'S NETWORK BOUNDARY: real gRPC servers, in the test process,
 * implementing QueryService and QuantumService from the same proto with small in-memory data
 * (tenant-scoped like the real services). The real services are tested on their own; the lead's
 * end-to-end tests run the gateway against them.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { tls } from '@simstream/infra';
import { loadQuantumContract, loadQueryContract, type pb } from '@simstream/contracts';

type ServerStream<Req, Res> = grpc.ServerWritableStream<Req, Res>;

function grpcError(code: grpc.status, details: string, reason?: string, violations: string[] = []) {
  const metadata = new grpc.Metadata();
  if (reason !== undefined) metadata.set('simstream-reason', reason);
  for (const v of violations) metadata.add('simstream-field-violation', v);
  return { code, details, metadata };
}

/** Binds with the real service's certificate and mutual TLS, as the real service does. */
async function bind(server: grpc.Server, port: number, identity: 'query' | 'quantum'): Promise<number> {
  const files = tls();
  const credentials = grpc.ServerCredentials.createSsl(
    readFileSync(files.caFile),
    [
      {
        cert_chain: readFileSync(files.certFile(identity)),
        private_key: readFileSync(files.keyFile(identity)),
      },
    ],
    true,
  );
  return new Promise((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, credentials, (e, p) => (e ? reject(e) : resolve(p))),
  );
}

interface Tail {
  readonly request: pb.TailResultsRequest__Output;
  readonly call: ServerStream<pb.TailResultsRequest__Output, pb.Result>;
}

/** QueryService over in-memory simulations and results (tenant-scoped like the real one). */
export class QueryDouble {
  readonly simulations = new Map<string, pb.Simulation__Output>();
  readonly results = new Map<string, pb.Result[]>();
  readonly arrow = new Map<string, Buffer[]>();
  readonly tailRequests: pb.TailResultsRequest__Output[] = [];
  /** Answer with other tenants' simulations too (to prove the gateway filters them itself). */
  leak = false;
  /** ListResults fails with INTERNAL quoting this (as a database error would), when set. */
  internalError: string | undefined;
  cancelledTails = 0;
  private readonly tails = new Set<Tail>();
  private server: grpc.Server | undefined;
  port = 0;

  async start(port = 0): Promise<string> {
    const { proto } = loadQueryContract();
    const server = new grpc.Server();
    server.addService(proto.simstream.v1.QueryService.service, this.handlers());
    this.port = await bind(server, port, 'query');
    this.server = server;
    return `127.0.0.1:${this.port}`;
  }

  /** Gone at once, as with kill -9: open calls fail, new connections are refused. */
  kill(): void {
    this.server?.forceShutdown();
    this.server = undefined;
    this.tails.clear();
  }

  addSimulation(id: string, tenant: string, results: pb.Result[] = []): void {
    this.simulations.set(id, {
      simulationId: id,
      tenant,
      kind: 'gray-scott',
      attributes: { source: 'double' },
      frames: results.length,
      firstStep: 0,
      lastStep: Math.max(0, results.length - 1),
      firstSeenMs: Date.now(),
      lastSeenMs: Date.now(),
      neuromorphicResults: results.length,
      quantumResults: 0,
      lastAnomalyScore: results.at(-1)?.score as number | undefined,
    });
    this.results.set(id, results);
  }

  /** A new result of `id`, sent to every live tail of it. */
  push(id: string, result: pb.Result): void {
    this.results.get(id)!.push(result);
    for (const tail of this.tails)
      if (tail.request.simulationId === id && (tail.request.fromStep ?? 0) <= Number(result.step))
        tail.call.write(result);
  }

  get openTails(): number {
    return this.tails.size;
  }

  private visible(tenant: string, id: string): pb.Simulation__Output | undefined {
    const s = this.simulations.get(id);
    return s !== undefined && (this.leak || s.tenant === tenant) ? s : undefined;
  }

  private handlers(): grpc.UntypedServiceImplementation {
    return {
      ListSimulations: (
        call: grpc.ServerUnaryCall<pb.ListSimulationsRequest__Output, unknown>,
        cb: grpc.sendUnaryData<pb.ListSimulationsResponse>,
      ) => {
        const all = [...this.simulations.values()].filter(
          (s) => this.leak || s.tenant === call.request.tenant,
        );
        cb(null, { simulations: all, nextPageToken: '' });
      },
      GetSimulation: (
        call: grpc.ServerUnaryCall<pb.GetSimulationRequest__Output, unknown>,
        cb: grpc.sendUnaryData<pb.Simulation>,
      ) => {
        const s = this.visible(call.request.tenant, call.request.simulationId);
        if (s === undefined)
          cb(
            grpcError(
              grpc.status.NOT_FOUND,
              `simulation '${call.request.simulationId}' not found`,
              'SIMULATION_NOT_FOUND',
            ),
          );
        else cb(null, s);
      },
      ListResults: (
        call: grpc.ServerUnaryCall<pb.ListResultsRequest__Output, unknown>,
        cb: grpc.sendUnaryData<pb.ListResultsResponse>,
      ) => {
        const r = call.request;
        if (this.internalError !== undefined) {
          cb(grpcError(grpc.status.INTERNAL, this.internalError, 'DATABASE_ERROR'));
          return;
        }
        if (this.visible(r.tenant, r.simulationId) === undefined) {
          cb(grpcError(grpc.status.NOT_FOUND, 'not found', 'SIMULATION_NOT_FOUND'));
          return;
        }
        const all = this.results
          .get(r.simulationId)!
          .filter(
            (x) =>
              (r.fromStep === undefined || Number(x.step) >= r.fromStep) &&
              (r.toStep === undefined || Number(x.step) <= r.toStep),
          );
        const start = Number(r.pageToken || '0');
        const end = start + (r.pageSize || 100);
        cb(null, { results: all.slice(start, end), nextPageToken: end < all.length ? String(end) : '' });
      },
      TailResults: (call: ServerStream<pb.TailResultsRequest__Output, pb.Result>) => {
        const r = call.request;
        this.tailRequests.push(r);
        if (this.visible(r.tenant, r.simulationId) === undefined) {
          call.emit('error', grpcError(grpc.status.NOT_FOUND, 'not found', 'SIMULATION_NOT_FOUND'));
          return;
        }
        if (r.fromStep !== undefined)
          for (const x of this.results.get(r.simulationId)!) if (Number(x.step) >= r.fromStep) call.write(x);
        const tail = { request: r, call };
        this.tails.add(tail);
        call.on('cancelled', () => {
          this.cancelledTails++;
          this.tails.delete(tail);
        });
      },
      ExportArrow: (call: ServerStream<pb.ExportArrowRequest__Output, pb.ArrowChunk>) => {
        const r = call.request;
        if (this.visible(r.tenant, r.simulationId) === undefined) {
          call.emit('error', grpcError(grpc.status.NOT_FOUND, 'not found', 'SIMULATION_NOT_FOUND'));
          return;
        }
        for (const data of this.arrow.get(r.simulationId) ?? []) call.write({ data });
        call.end();
      },
    };
  }
}

/** QuantumService: a deterministic "solver" with progress, and jobs in memory. */
export class QuantumDouble {
  readonly jobs = new Map<string, pb.Job>();
  cancelledSolves = 0;
  private server: grpc.Server | undefined;

  async start(): Promise<string> {
    const { proto } = loadQuantumContract();
    const server = new grpc.Server();
    server.addService(proto.simstream.v1.QuantumService.service, this.handlers());
    const port = await bind(server, 0, 'quantum');
    this.server = server;
    return `127.0.0.1:${port}`;
  }

  stop(): void {
    this.server?.forceShutdown();
  }

  private handlers(): grpc.UntypedServiceImplementation {
    const result = (n: number, hash = 'h'): pb.SolveResult => ({
      energy: -n,
      solution: Buffer.from(Int8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1)).buffer),
      reads: 1,
      sweeps: 100,
      timeToBestMs: 1,
      totalMs: 2,
      solver: 'sa',
      backend: 'double',
      stoppedBy: 'completed',
      problemHash: hash,
      cached: false,
    });
    return {
      Solve: (call: ServerStream<pb.SolveRequest__Output, pb.SolveUpdate>) => {
        const n = call.request.problem?.variables ?? 0;
        if (n > 1000 || call.request.tenant === '') {
          call.emit(
            'error',
            grpcError(grpc.status.INVALID_ARGUMENT, 'problem.variables: at most 1000 here', 'OUT_OF_RANGE', [
              'problem.variables: OUT_OF_RANGE: at most 1000 here',
            ]),
          );
          return;
        }
        let cancelled = false;
        call.on('cancelled', () => {
          cancelled = true;
          this.cancelledSolves++;
        });
        const slow = (call.request.params?.timeLimitMs ?? 0) >= 10_000;
        let i = 0;
        const timer = setInterval(() => {
          if (cancelled) return clearInterval(timer);
          i++;
          call.write({ progress: { bestEnergy: -i, elapsedMs: i * 10, sweeps: i * 10 } });
          if (!slow && i === 3) {
            clearInterval(timer);
            call.write({ result: result(n) });
            call.end();
          }
        }, 20);
      },
      SubmitJob: (
        call: grpc.ServerUnaryCall<pb.SubmitJobRequest__Output, unknown>,
        cb: grpc.sendUnaryData<pb.Job>,
      ) => {
        const r = call.request;
        const existing = [...this.jobs.values()].find(
          (j) =>
            j.tenant === r.tenant &&
            r.idempotencyKey !== '' &&
            (j as { key?: string }).key === r.idempotencyKey,
        );
        if (existing !== undefined) return cb(null, existing);
        const job = {
          jobId: randomBytes(8).toString('hex'),
          tenant: r.tenant,
          status: 'JOB_STATUS_QUEUED' as const,
          submittedAtMs: Date.now(),
          variables: r.problem?.variables ?? 0,
          key: r.idempotencyKey,
        };
        this.jobs.set(job.jobId, job);
        cb(null, job);
      },
      GetJob: (
        call: grpc.ServerUnaryCall<pb.GetJobRequest__Output, unknown>,
        cb: grpc.sendUnaryData<pb.Job>,
      ) => {
        const job = this.jobs.get(call.request.jobId);
        if (job === undefined || job.tenant !== call.request.tenant)
          cb(grpcError(grpc.status.NOT_FOUND, 'no such job', 'JOB_NOT_FOUND'));
        else cb(null, job);
      },
      CancelJob: (
        call: grpc.ServerUnaryCall<pb.CancelJobRequest__Output, unknown>,
        cb: grpc.sendUnaryData<pb.Job>,
      ) => {
        const job = this.jobs.get(call.request.jobId);
        if (job === undefined || job.tenant !== call.request.tenant)
          return cb(grpcError(grpc.status.NOT_FOUND, 'no such job', 'JOB_NOT_FOUND'));
        job.status = 'JOB_STATUS_CANCELLED';
        job.finishedAtMs = Date.now();
        cb(null, job);
      },
    };
  }
}

export function neuromorphicResult(simulationId: string, step: number): pb.Result {
  return {
    simulationId,
    step,
    kind: 'RESULT_KIND_NEUROMORPHIC',
    simTime: step * 0.5,
    producedAtMs: 1_700_000_000_000 + step,
    score: (step % 10) / 10,
    neuromorphic: {
      anomalyScore: (step % 10) / 10,
      rawScore: step,
      spikeRate: 0.25,
      patternId: step % 3,
      novelty: 0,
      backend: 'double',
      model: 'm',
    },
  };
}
