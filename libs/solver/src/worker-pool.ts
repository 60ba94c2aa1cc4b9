/**
 * A pool of worker threads for independent reads. Workers start on first use and stay until
 * `close()`, so a long-lived service pays the start-up once. One run at a time: a run uses every
 * worker, each taking every size-th read.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { SimstreamError, ValidationError } from '@simstream/errors';
import type { CompiledIsing } from './compiled.js';
import type { CpuTask } from './cpu-task.js';
import { STOP_CANCELLED } from './incumbent.js';
import type { DoneMessage, RunMessage, WorkerMessage } from './worker-protocol.js';

export interface SolverPoolOptions {
  /** Worker threads (default: the cores available to this process). */
  readonly size?: number;
  /** The built worker script; defaults to worker.js beside this module (in dist/). */
  readonly workerUrl?: URL;
}

export interface PoolRun {
  readonly startEpoch: number;
  readonly deadlineEpoch: number;
  readonly target: number;
  readonly stop: SharedArrayBuffer;
  readonly progressIntervalMs: number;
  readonly onImprove: (energy: number, atMs: number, sweeps: number, worker: number) => void;
}

export class SolverWorkerError extends SimstreamError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SOLVER_WORKER', `solver worker failed: ${message}`, options);
  }
}

export class SolverPool {
  readonly size: number;
  private readonly workerUrl: URL;
  private workers: Worker[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: SolverPoolOptions = {}) {
    this.size = options.size ?? os.availableParallelism();
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new ValidationError([
        {
          field: 'size',
          reason: 'OUT_OF_RANGE',
          description: `must be a positive integer, got ${this.size}`,
        },
      ]);
    }
    this.workerUrl = options.workerUrl ?? new URL('./worker.js', import.meta.url);
  }

  /** Runs the task's reads across all workers; resolves with each worker's final report. */
  run(p: CompiledIsing, task: CpuTask, ctl: PoolRun): Promise<DoneMessage[]> {
    const next = this.queue.then(() => this.runNow(p, task, ctl));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private ensureWorkers(): Worker[] {
    if (this.closed) throw new SimstreamError('SOLVER_POOL_CLOSED', 'the solver pool is closed');
    while (this.workers.length < this.size) {
      const w = new Worker(this.workerUrl);
      w.unref();
      this.workers.push(w);
    }
    return this.workers;
  }

  private runNow(p: CompiledIsing, task: CpuTask, ctl: PoolRun): Promise<DoneMessage[]> {
    const workers = this.ensureWorkers();
    const stopFlag = new Int32Array(ctl.stop);
    const results: (DoneMessage | undefined)[] = new Array<DoneMessage | undefined>(workers.length);
    return new Promise<DoneMessage[]>((resolve, reject) => {
      let pending = workers.length;
      let failed = false;
      const cleanups: (() => void)[] = [];
      const finish = (error?: Error): void => {
        if (error !== undefined && !failed) {
          failed = true;
          Atomics.store(stopFlag, 0, STOP_CANCELLED);
          for (const c of cleanups) c();
          // A worker that failed or died may be in any state: replace them all next time.
          void this.terminateAll();
          reject(error);
        }
      };
      workers.forEach((w, index) => {
        const onMessage = (msg: WorkerMessage): void => {
          if (msg.type === 'improve') ctl.onImprove(msg.energy, msg.atMs, msg.sweeps, index);
          else if (msg.type === 'error') finish(new SolverWorkerError(msg.message));
          else {
            results[index] = msg;
            cleanup();
            if (--pending === 0 && !failed) resolve(results as DoneMessage[]);
          }
        };
        const onError = (error: Error): void =>
          finish(new SolverWorkerError(error.message, { cause: error }));
        const onExit = (code: number): void =>
          finish(new SolverWorkerError(`worker exited with code ${code}`));
        const cleanup = (): void => {
          w.unref();
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        };
        cleanups.push(cleanup);
        // Referenced while it works, so that the process waits for it; unreferenced when idle.
        w.ref();
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        const msg: RunMessage = {
          type: 'run',
          problem: { n: p.n, h: p.h, rowPtr: p.rowPtr, colIdx: p.colIdx, values: p.values, offset: p.offset },
          task,
          first: index,
          stride: workers.length,
          startEpoch: ctl.startEpoch,
          deadlineEpoch: ctl.deadlineEpoch,
          target: ctl.target,
          stop: ctl.stop,
          progressIntervalMs: ctl.progressIntervalMs,
        };
        w.postMessage(msg);
      });
    });
  }

  private async terminateAll(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.terminateAll();
  }
}
