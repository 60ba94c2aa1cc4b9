/**
 * Messages between the solver pool and its worker threads.
 */
import type { CpuTask } from './cpu-task.js';

/** The compiled problem's arrays, copied to the worker. */
export interface WireProblem {
  readonly n: number;
  readonly h: Float64Array;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float64Array;
  readonly offset: number;
}

export interface RunMessage {
  readonly type: 'run';
  readonly problem: WireProblem;
  readonly task: CpuTask;
  readonly first: number;
  readonly stride: number;
  /** Wall-clock (epoch ms) times, comparable across threads. */
  readonly startEpoch: number;
  readonly deadlineEpoch: number;
  readonly target: number;
  readonly stop: SharedArrayBuffer;
  readonly progressIntervalMs: number;
}

export interface ImproveMessage {
  readonly type: 'improve';
  readonly energy: number;
  readonly atMs: number;
  readonly sweeps: number;
}

export interface DoneMessage {
  readonly type: 'done';
  readonly energy: number;
  readonly spins: Int8Array | undefined;
  readonly read: number;
  readonly atMs: number;
  readonly sweeps: number;
  readonly attempts: number;
  readonly reads: number;
}

export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
  readonly code?: string;
}

export type WorkerMessage = ImproveMessage | DoneMessage | ErrorMessage;

export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
