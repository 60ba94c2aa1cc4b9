/**
 * `solve`: the one entry point. Validates the problem and options, picks the solver, runs its
 * reads in this thread, in a worker pool, or (simulated bifurcation) on the tfjs backend, and
 * returns the best state with its accounting. Every path is anytime: a time limit, an abort
 * signal and a target energy stop it, and it returns the best state found so far.
 */
import { initCompute } from '@simstream/compute';
import { ValidationError } from '@simstream/errors';
import { defaultBaseSweeps } from './anneal.js';
import { bifurcationRead, preferDense, type BifurcationPlan } from './bifurcation.js';
import { compileIsing, type CompiledIsing } from './compiled.js';
import { runReads, type CpuPlan, type CpuTask } from './cpu-task.js';
import { Incumbent, STOP_CANCELLED, STOP_NONE, STOP_TARGET, STOP_TIME } from './incumbent.js';
import { ladderFromPilot, pilotAnneal } from './ladder.js';
import { cutValue } from './maxcut.js';
import { isingEnergy, quboEnergy, spinsToBits } from './problem.js';
import { streamSeed } from './rng.js';
import { resolveBetaRange } from './schedule.js';
import { geometricLadder } from './tempering.js';
import type { Problem, SolveOptions, SolveResult, SolverName, StoppedBy } from './types.js';
import { normalise } from './validate.js';
import { SolverPool } from './worker-pool.js';
import { epochNow } from './worker-protocol.js';

const DEFAULT_READS = { sa: 16, pt: 2, sb: 1 } as const;
const DEFAULT_PT_SWEEPS = 1000;
/**
 * Tempering defaults, measured on G14 (12 seeds, attempts to 3064): the measured ladder alone
 * reached it in 8 of 12 runs within ~1.5·10⁹ attempts, with a heavy tail (a run stuck in one
 * valley); feedback on the ladder every 500 sweeps gave 11 of 12; adding a restart when the best
 * has not improved for 4× the sweeps it took (at least 5000) gave 12 of 12, all within 7.4·10⁸.
 * G1, G2 and G6 did not get slower.
 */
const PT_ADAPT_EVERY = 500;
const PT_STALE_FACTOR = 4;
const PT_MIN_STALE = 5000;
const DEFAULT_PROGRESS_MS = 50;
const MAX_WORKERS = 256;

type Resolved = Exclude<SolverName, 'auto'>;

export interface SolveWithPool extends SolveOptions {
  /** Run CPU reads on this pool (its size is the worker count); `workers` is then ignored. */
  readonly pool?: SolverPool;
}

function bad(field: string, description: string): never {
  throw new ValidationError([{ field, reason: 'OUT_OF_RANGE', description }]);
}

function checkOptions(o: SolveOptions): void {
  const posInt = (v: number | undefined, field: string, max = Number.MAX_SAFE_INTEGER): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > max))
      bad(field, `must be an integer in [1, ${max}], got ${v}`);
  };
  if (o.timeLimitMs !== undefined && !(o.timeLimitMs >= 0))
    bad('timeLimitMs', `must be ≥ 0, got ${o.timeLimitMs}`);
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed))
    bad('seed', `must be a safe integer, got ${o.seed}`);
  if (o.targetEnergy !== undefined && Number.isNaN(o.targetEnergy)) bad('targetEnergy', 'must be a number');
  if (o.solver !== undefined && !['sa', 'pt', 'sb-ballistic', 'sb-discrete', 'auto'].includes(o.solver)) {
    bad('solver', `must be one of sa, pt, sb-ballistic, sb-discrete, auto; got ${String(o.solver)}`);
  }
  posInt(o.reads, 'reads');
  posInt(o.workers, 'workers', MAX_WORKERS);
  posInt(o.schedule?.sweeps, 'schedule.sweeps');
  posInt(o.tempering?.replicas, 'tempering.replicas', 1024);
  posInt(o.bifurcation?.replicas, 'bifurcation.replicas', 65_536);
  posInt(o.bifurcation?.steps, 'bifurcation.steps');
  if (o.bifurcation?.dt !== undefined && !(o.bifurcation.dt > 0 && o.bifurcation.dt < 10))
    bad('bifurcation.dt', 'must be in (0, 10)');
  if (o.tempering?.cluster !== undefined && typeof o.tempering.cluster !== 'boolean')
    bad('tempering.cluster', 'must be a boolean');
  if (
    o.tempering?.adaptEvery !== undefined &&
    !(Number.isInteger(o.tempering.adaptEvery) && o.tempering.adaptEvery >= 0)
  ) {
    bad('tempering.adaptEvery', 'must be an integer ≥ 0');
  }
}

/** 'auto' is parallel tempering on a ladder measured on the problem: the most robust of the three. */
function resolveSolver(name: SolverName | undefined): Resolved {
  return name === undefined || name === 'auto' ? 'pt' : name;
}

function cpuPlan(
  p: CompiledIsing,
  solver: 'sa' | 'pt',
  o: SolveOptions,
  unbounded: boolean,
  seed: number,
): CpuPlan {
  const range = resolveBetaRange(p, o.schedule);
  if (solver === 'sa') {
    return {
      solver,
      range,
      baseSweeps: defaultBaseSweeps(p),
      ...(o.schedule?.sweeps !== undefined ? { sweeps: o.schedule.sweeps } : {}),
    };
  }
  const custom =
    o.schedule?.betaStart !== undefined ||
    o.schedule?.betaEnd !== undefined ||
    o.tempering?.replicas !== undefined;
  const ladder = custom
    ? geometricLadder(range, o.tempering?.replicas ?? 16)
    : ladderFromPilot(pilotAnneal(p, range, streamSeed(seed, -1)));
  const sweeps = o.schedule?.sweeps ?? (unbounded ? Infinity : DEFAULT_PT_SWEEPS);
  return {
    solver,
    ladder,
    sweeps,
    adaptEvery: o.tempering?.adaptEvery ?? PT_ADAPT_EVERY,
    // Only open-ended reads restart on stagnation: a read asked for N sweeps does N sweeps.
    staleFactor: sweeps === Infinity ? PT_STALE_FACTOR : 0,
    minStale: PT_MIN_STALE,
    cluster: o.tempering?.cluster ?? true,
  };
}

export async function solve(problem: Problem, options: SolveWithPool = {}): Promise<SolveResult> {
  checkOptions(options);
  const solver = resolveSolver(options.solver);
  const workers = options.pool?.size ?? options.workers ?? 1;
  if (options.pool === undefined && workers > 1 && (solver === 'sa' || solver === 'pt')) {
    const pool = new SolverPool({
      size: workers,
      ...(options.workerUrl !== undefined ? { workerUrl: options.workerUrl } : {}),
    });
    try {
      return await solve(problem, { ...options, pool });
    } finally {
      await pool.close();
    }
  }

  const { ising, source } = normalise(problem);
  const p = compileIsing(ising);
  const seed = options.seed ?? 0;
  const start = performance.now();
  const startEpoch = epochNow();
  const limit = options.timeLimitMs;
  const deadline = limit === undefined ? Infinity : start + limit;
  const target = options.targetEnergy ?? -Infinity;
  const stopBuffer = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopBuffer);
  const onAbort = (): void => void Atomics.compareExchange(stop, 0, STOP_NONE, STOP_CANCELLED);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // Progress: only improvements, throttled, never out of order.
  const interval = options.progressIntervalMs ?? DEFAULT_PROGRESS_MS;
  let reported = Infinity;
  let lastReportAt = -Infinity;
  let sweepsSeen = 0;
  const progress = (energy: number, sweeps: number, force = false): void => {
    sweepsSeen = Math.max(sweepsSeen, sweeps);
    if (options.onProgress === undefined || !(energy < reported)) return;
    const now = performance.now();
    if (!force && now - lastReportAt < interval) return;
    reported = energy;
    lastReportAt = now;
    options.onProgress({ bestEnergy: energy, elapsedMs: now - start, sweeps: sweepsSeen });
  };

  const unbounded = options.reads === undefined && limit !== undefined;
  let best: { energy: number; spins: Int8Array; atMs: number };
  let reads = 0;
  let sweeps = 0;
  let attempts = 0;
  let backend = 'cpu';
  const used = solver === 'sa' || solver === 'pt' ? workers : 1;
  try {
    if (solver === 'sa' || solver === 'pt') {
      const task: CpuTask = {
        plan: cpuPlan(p, solver, options, unbounded, seed),
        seed,
        readLimit: options.reads ?? (unbounded ? Infinity : DEFAULT_READS[solver]),
      };
      if (options.pool !== undefined) {
        const sweepsBy = new Float64Array(options.pool.size);
        const done = await options.pool.run(p, task, {
          startEpoch,
          deadlineEpoch: limit === undefined ? Infinity : startEpoch + limit,
          target,
          stop: stopBuffer,
          progressIntervalMs: interval,
          onImprove: (energy, _atMs, s, worker) => {
            sweepsBy[worker] = s;
            progress(
              energy,
              sweepsBy.reduce((a, b) => a + b, 0),
            );
          },
        });
        let pick = done[0]!;
        for (const d of done) {
          reads += d.reads;
          sweeps += d.sweeps;
          attempts += d.attempts;
          if (d.energy < pick.energy || (d.energy === pick.energy && d.read < pick.read)) pick = d;
        }
        best = {
          energy: pick.energy,
          spins: pick.spins!,
          atMs: Math.min(...done.filter((d) => d.energy === pick.energy).map((d) => d.atMs)),
        };
      } else {
        const inc = new Incumbent({
          start,
          deadline,
          stop,
          target,
          onImprove: (i) => progress(i.energy, i.sweeps),
        });
        await runReads(p, task, 0, 1, inc);
        best = { energy: inc.energy, spins: inc.spins!, atMs: inc.atMs };
        ({ reads, sweeps, attempts } = inc);
      }
    } else {
      backend = (await initCompute()).name;
      const b = options.bifurcation ?? {};
      const steps = b.steps ?? 1000;
      const plan: BifurcationPlan = {
        variant: solver === 'sb-discrete' ? 'discrete' : 'ballistic',
        replicas: b.replicas ?? 64,
        steps,
        dt: b.dt ?? 0.5,
        dense: preferDense(p),
        evalEvery: Math.max(1, Math.min(50, Math.round(steps / 20))),
      };
      const inc = new Incumbent({
        start,
        deadline,
        stop,
        target,
        onImprove: (i) => progress(i.energy, i.sweeps),
      });
      const readLimit = options.reads ?? (unbounded ? Infinity : DEFAULT_READS.sb);
      for (let r = 0; r < readLimit; r++) {
        if (inc.spins !== undefined && inc.stopped()) break;
        await bifurcationRead(p, plan, r, seed, inc);
      }
      best = { energy: inc.energy, spins: inc.spins!, atMs: inc.atMs };
      ({ reads, sweeps } = inc);
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }

  const totalMs = performance.now() - start;
  progress(best.energy, sweeps, true);
  const flag = Atomics.load(stop, 0);
  const stoppedBy: StoppedBy =
    flag === STOP_TARGET
      ? 'target'
      : flag === STOP_CANCELLED
        ? 'cancelled'
        : flag === STOP_TIME
          ? 'time-limit'
          : 'completed';
  const spins = best.spins;
  const common = {
    spins,
    reads,
    sweeps,
    flipAttempts: attempts,
    timeToBestMs: best.atMs,
    totalMs,
    backend,
    solver,
    workers: used,
    stoppedBy,
  };
  switch (source.kind) {
    case 'qubo': {
      const bits = spinsToBits(spins);
      return { ...common, energy: quboEnergy(source, bits), bits };
    }
    case 'maxcut': {
      const cut = cutValue(source, spins);
      return { ...common, energy: -cut, cut };
    }
    default:
      return { ...common, energy: isingEnergy(ising, spins) };
  }
}
