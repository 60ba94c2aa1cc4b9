/**
 * Worker thread entry: runs the reads it is given (first, first + stride, …) and reports
 * improvements and its final best to the pool. Stopping is shared through the stop flag.
 */
import { parentPort } from 'node:worker_threads';
import { SimstreamError, messageOf } from '@simstream/errors';
import { compileIsing } from './compiled.js';
import { runReads } from './cpu-task.js';
import { Incumbent } from './incumbent.js';
import {
  type DoneMessage,
  type ErrorMessage,
  type ImproveMessage,
  type RunMessage,
} from './worker-protocol.js';

if (parentPort === null) throw new SimstreamError('SOLVER_WORKER', 'worker.js must run as a worker thread');
const port = parentPort;

port.on('message', (msg: RunMessage) => {
  void run(msg).catch((error: unknown) => {
    const out: ErrorMessage = {
      type: 'error',
      message: messageOf(error),
      ...(error instanceof SimstreamError ? { code: error.code } : {}),
    };
    port.postMessage(out);
  });
});

async function run(msg: RunMessage): Promise<void> {
  const { problem } = msg;
  const p = compileIsing({
    kind: 'ising',
    n: problem.n,
    h: problem.h,
    J: { rowPtr: problem.rowPtr, colIdx: problem.colIdx, values: problem.values },
    offset: problem.offset,
  });
  // This thread's performance.now() clock has its own origin: convert the epoch times.
  const start = msg.startEpoch - performance.timeOrigin;
  let lastReport = -Infinity;
  const inc = new Incumbent({
    start,
    deadline: msg.deadlineEpoch === Infinity ? Infinity : msg.deadlineEpoch - performance.timeOrigin,
    stop: new Int32Array(msg.stop),
    target: msg.target,
    onImprove: (i) => {
      const now = performance.now();
      if (now - lastReport < msg.progressIntervalMs && i.energy > msg.target) return;
      lastReport = now;
      const out: ImproveMessage = { type: 'improve', energy: i.energy, atMs: i.atMs, sweeps: i.sweeps };
      port.postMessage(out);
    },
  });
  await runReads(p, msg.task, msg.first, msg.stride, inc);
  const done: DoneMessage = {
    type: 'done',
    energy: inc.energy,
    spins: inc.spins,
    read: inc.read,
    atMs: inc.atMs,
    sweeps: inc.sweeps,
    attempts: inc.attempts,
    reads: inc.reads,
  };
  port.postMessage(done);
}
