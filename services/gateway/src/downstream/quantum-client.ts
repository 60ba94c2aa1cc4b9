/**
 * The quantum service (proto/simstream/v1/quantum.proto) behind breakers: synchronous solves
 * and streamed solves through `quantum-solve`, jobs through `quantum-jobs`. A solve is
 * cancelled when the HTTP client goes away (the service then cancels the solver).
 */
import type * as grpc from '@grpc/grpc-js';
import { loadQuantumContract, type pb } from '@simstream/contracts';
import { CancelledError } from '@simstream/errors';
import type { Breakers, Guarded } from './breakers.js';
import { channelOptions, connected, unary } from './grpc-calls.js';
import { downstreamError } from './grpc-errors.js';

const DEPENDENCY = 'quantum';

export interface QuantumClientOptions {
  readonly address: string;
  /** Mutual TLS with the gateway's certificate (tls.ts in @simstream/rpc). */
  readonly credentials: grpc.ChannelCredentials;
  readonly deadlineMs: number;
  readonly solveTimeoutMs: number;
}

export class QuantumClient {
  private readonly client: pb.QuantumServiceClient;
  private readonly solveGuard: Guarded;
  private readonly jobs: Guarded;

  constructor(
    private readonly options: QuantumClientOptions,
    breakers: Breakers,
  ) {
    const { proto } = loadQuantumContract();
    this.client = new proto.simstream.v1.QuantumService(
      options.address,
      options.credentials,
      channelOptions(64 * 1024 * 1024),
    );
    this.solveGuard = breakers.guard('quantum-solve');
    this.jobs = breakers.guard('quantum-jobs');
  }

  /** Solves to the end; `onProgress` sees best-so-far updates. */
  solve(
    request: pb.SolveRequest,
    signal: AbortSignal,
    onProgress?: (progress: pb.SolveProgress__Output) => void,
  ): Promise<pb.SolveResult__Output> {
    return this.solveGuard(
      () =>
        new Promise<pb.SolveResult__Output>((resolve, reject) => {
          if (signal.aborted) {
            reject(new CancelledError('the client went away'));
            return;
          }
          // Deadline a little under the breaker's timeout: the abandoned call is cancelled too.
          const call = this.client.Solve(request, {
            deadline: Date.now() + Math.max(1000, this.options.solveTimeoutMs - 500),
          });
          let result: pb.SolveResult__Output | undefined;
          const cancel = () => call.cancel();
          signal.addEventListener('abort', cancel, { once: true });
          call.on('data', (update: pb.SolveUpdate__Output) => {
            if (update.progress != null) onProgress?.(update.progress);
            if (update.result != null) result = update.result;
          });
          call.on('error', (error) => {
            signal.removeEventListener('abort', cancel);
            reject(
              signal.aborted
                ? new CancelledError('the client went away')
                : downstreamError(DEPENDENCY, error),
            );
          });
          call.on('end', () => {
            signal.removeEventListener('abort', cancel);
            if (result !== undefined) resolve(result);
            else reject(downstreamError(DEPENDENCY, new Error('solve ended without a result')));
          });
        }),
    );
  }

  /** Opens a solve whose updates the caller streams on (SSE); open = channel connected. */
  openSolve(request: pb.SolveRequest): Promise<grpc.ClientReadableStream<pb.SolveUpdate__Output>> {
    return this.solveGuard(async () => {
      await connected(this.client, DEPENDENCY, Math.min(this.options.deadlineMs, 2000));
      const call = this.client.Solve(request, {
        deadline: Date.now() + Math.max(1000, this.options.solveTimeoutMs - 500),
      });
      call.on('error', () => undefined);
      return call;
    });
  }

  submitJob(request: pb.SubmitJobRequest, signal?: AbortSignal): Promise<pb.Job__Output> {
    return this.jobs(() =>
      unary<pb.Job__Output>((md, o, cb) => this.client.SubmitJob(request, md, o, cb), {
        dependency: DEPENDENCY,
        deadlineMs: this.options.deadlineMs,
        signal,
      }),
    );
  }

  getJob(tenant: string, jobId: string, signal?: AbortSignal): Promise<pb.Job__Output> {
    return this.jobs(() =>
      unary<pb.Job__Output>((md, o, cb) => this.client.GetJob({ tenant, jobId }, md, o, cb), {
        dependency: DEPENDENCY,
        deadlineMs: this.options.deadlineMs,
        signal,
        notFoundCode: 'JOB_NOT_FOUND',
      }),
    );
  }

  cancelJob(tenant: string, jobId: string, signal?: AbortSignal): Promise<pb.Job__Output> {
    return this.jobs(() =>
      unary<pb.Job__Output>((md, o, cb) => this.client.CancelJob({ tenant, jobId }, md, o, cb), {
        dependency: DEPENDENCY,
        deadlineMs: this.options.deadlineMs,
        signal,
        notFoundCode: 'JOB_NOT_FOUND',
      }),
    );
  }

  close(): void {
    this.client.close();
  }
}
