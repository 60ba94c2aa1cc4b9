/**
 * A small pool of decode workers (1–2 threads, each with a capped heap). A job gets a deadline;
 * a worker still busy at it is terminated and replaced, and the job fails with 422
 * UPLOAD_DECODE_TIMEOUT, so no body can hold a thread, or the gateway's event loop, for long.
 * Idle workers are unref'd: a pool never keeps a process alive on its own.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DecodeJob, DecodeReply } from './decode-worker.js';
import { unpack } from './frame-transfer.js';
import { UploadError } from './upload-error.js';
import type { UploadFrame } from './upload-frame.js';

export interface DecodePoolOptions {
  /** Worker threads (1 or 2: decoding must not take every core from the server). */
  readonly size?: number;
  /** Old-generation heap of each worker, MiB (typed arrays and Buffers live outside it). */
  readonly maxHeapMb?: number;
}

interface Task {
  readonly job: DecodeJob;
  readonly transfer: ArrayBuffer[];
  readonly deadlineMs: number;
  readonly resolve: (frames: UploadFrame[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  task?: Task;
  timer?: NodeJS.Timeout;
}

/** The compiled worker; sources run by a test runner use the build's copy (a worker needs JS). */
function workerUrl(): URL {
  const beside = new URL('./decode-worker.js', import.meta.url);
  return existsSync(fileURLToPath(beside)) ? beside : new URL('../dist/decode-worker.js', import.meta.url);
}

export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly maxHeapMb: number;
  private closed = false;
  /** Workers terminated at their deadline or lost, since the pool started (for metrics). */
  replaced = 0;

  constructor(options: DecodePoolOptions = {}) {
    this.maxHeapMb = options.maxHeapMb ?? 256;
    const size = Math.min(2, Math.max(1, options.size ?? 1));
    for (let i = 0; i < size; i++) this.slots.push({ worker: this.spawn() });
  }

  /** Decodes in a worker; `transfer` lists buffers that move to it instead of being copied. */
  run(job: DecodeJob, transfer: ArrayBuffer[], deadlineMs: number): Promise<UploadFrame[]> {
    if (this.closed) return Promise.reject(new Error('decode pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, transfer, deadlineMs, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('decode pool is closed'));
    await Promise.all(this.slots.map((s) => this.finish(s, new Error('decode pool is closed'))));
  }

  private spawn(): Worker {
    const worker = new Worker(workerUrl(), {
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb, maxYoungGenerationSizeMb: 32 },
    });
    // An idle worker that fails has no job to fail; its next job meets the deadline and replaces
    // it. Without a listener, its 'error' would be thrown on the main thread.
    worker.on('error', () => undefined);
    worker.unref();
    return worker;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task !== undefined) continue;
      const task = this.queue.shift();
      if (task === undefined) return;
      this.start(slot, task);
    }
  }

  private start(slot: Slot, task: Task): void {
    slot.task = task;
    const { worker } = slot;
    worker.ref(); // a pending decode keeps the process alive (a CLI awaiting it)
    const startedAt = performance.now();
    const onMessage = (reply: DecodeReply): void => {
      worker.off('error', onError);
      this.settle(slot, worker);
      // A reply can be read before the deadline's timer fires although it came after it (a
      // starved event loop polls both at once): the deadline holds either way.
      if (performance.now() - startedAt > task.deadlineMs) task.reject(decodeTimeout(task.deadlineMs));
      else if (reply.ok) task.resolve(unpack(reply.packed));
      else
        task.reject(
          new UploadError(reply.status, reply.code, reply.message, { violations: reply.violations }),
        );
    };
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      const outOfMemory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      void this.replace(slot, worker);
      task.reject(
        outOfMemory
          ? new UploadError(
              422,
              'UPLOAD_DECODE_OUT_OF_MEMORY',
              'decoding the body needs more memory than an upload may use',
            )
          : new UploadError(422, 'UPLOAD_DECODE_FAILED', 'the decoder stopped on this body', {
              cause: error,
            }),
      );
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    slot.timer = setTimeout(() => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      void this.replace(slot, worker);
      task.reject(decodeTimeout(task.deadlineMs));
    }, task.deadlineMs);
    worker.postMessage(task.job, task.transfer);
  }

  /** The slot's job is over (answered): the worker waits for the next one. */
  private settle(slot: Slot, worker: Worker): void {
    clearTimeout(slot.timer);
    slot.task = undefined;
    worker.unref();
    this.dispatch();
  }

  /** Terminates a worker that ran past its deadline or failed, and starts a fresh one. */
  private async replace(slot: Slot, worker: Worker): Promise<void> {
    clearTimeout(slot.timer);
    worker.removeAllListeners('message');
    this.replaced++;
    slot.task = undefined;
    if (!this.closed) slot.worker = this.spawn();
    this.dispatch();
    await worker.terminate();
  }

  private async finish(slot: Slot, error: Error): Promise<void> {
    clearTimeout(slot.timer);
    slot.task?.reject(error);
    slot.task = undefined;
    await slot.worker.terminate();
  }
}

function decodeTimeout(deadlineMs: number): UploadError {
  return new UploadError(
    422,
    'UPLOAD_DECODE_TIMEOUT',
    `decoding the body took longer than ${deadlineMs} ms, the limit for a body of its size`,
  );
}
