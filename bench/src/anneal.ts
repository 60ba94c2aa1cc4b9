/**
 * `pnpm bench anneal [--quick] [--instances G1,G14] [--seeds 5] [--budget-ms N] [--solver auto]
 *  [--workers 1] [--no-neal]`: Max-Cut quality and speed of @simstream/solver on the G-set
 * graphs vendored in data/gset, with D-Wave's simulated annealer (dwave-samplers, C++) run on
 * the same instances, seeds count and time budget for comparison.
 *
 * Per instance and seed, our solver runs with the best-known cut as its stopping target only
 * (the algorithm never sees it otherwise) and a time budget; we report the best and median cut,
 * the fraction of seeds reaching the best-known value, the median time to target (seeds that
 * miss count as not reached: the median is then null if half or more miss), spin-flip attempts
 * per second per core in the runs and in a fixed annealing kernel measurement, and the ratio of
 * median times to target ours / neal (a seed that misses counts as the whole budget, which can
 * only raise the ratio against us when neal misses).
 *
 * The Python side lives in bench/python and runs in a venv under .cache/venv-bench, created on
 * first use with `pip install dwave-samplers`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cutValue, parseGset, solve, type MaxCutGraph, type SolverName } from '@simstream/solver';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const gsetDir = path.join(root, 'data', 'gset');
const venv = path.join(root, '.cache', 'venv-bench');
const runner = path.join(root, 'bench', 'python', 'neal_ttt.py');
const NEAL_PACKAGE = 'dwave-samplers==1.8.0';

const log = (msg: string): void => void process.stderr.write(`[anneal] ${msg}\n`);

interface Args {
  instances: string[] | undefined;
  seeds: number | undefined;
  budgetMs: number | undefined;
  solver: SolverName;
  workers: number;
  neal: boolean;
  quick: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    instances: undefined,
    seeds: undefined,
    budgetMs: undefined,
    solver: 'auto',
    workers: 1,
    neal: true,
    quick: false,
  };
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k]!;
    const value = (): string => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--quick') a.quick = true;
    else if (flag === '--no-neal') a.neal = false;
    else if (flag === '--instances') a.instances = value().split(',');
    else if (flag === '--seeds') a.seeds = Number(value());
    else if (flag === '--budget-ms') a.budgetMs = Number(value());
    else if (flag === '--solver') a.solver = value() as SolverName;
    else if (flag === '--workers') a.workers = Number(value());
    else throw new Error(`unknown argument ${flag}`);
  }
  return a;
}

interface Instance {
  name: string;
  n: number;
  m: number;
  type: string;
  bestKnown: number;
  source: string;
}

function readBestKnown(): Instance[] {
  const lines = readFileSync(path.join(gsetDir, 'best_known.csv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const col = (name: string): number => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const f = line.split(',');
    return {
      name: f[col('instance')]!,
      n: Number(f[col('n')]),
      m: Number(f[col('m')]),
      type: f[col('type')]!,
      bestKnown: Number(f[col('best_known_cut')]),
      source: f[col('source_best_known')]!,
    };
  });
}

/** Default budget: the goals' limits (G14 30 s, unseen larger graphs 60 s, the others 5 s). */
function defaultBudget(inst: Instance, quick: boolean): number {
  if (inst.name === 'G14') return quick ? 10_000 : 30_000;
  if (inst.n > 1000) return quick ? 20_000 : 60_000;
  return quick ? 2_000 : 5_000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median with misses as +Infinity; null when the median itself is a miss. */
function medianTtt(ttts: (number | null)[]): number | null {
  const m = median(ttts.map((t) => t ?? Infinity));
  return Number.isFinite(m) ? round(m) : null;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Flip attempts per second of plain annealing with fixed sweeps, in this thread. */
async function kernelSpeed(graph: MaxCutGraph): Promise<number> {
  const r = await solve(graph, { solver: 'sa', seed: 1, reads: 3, schedule: { sweeps: 1000 } });
  return r.flipAttempts / (r.totalMs / 1000);
}

interface OurRun {
  seed: number;
  cut: number;
  timeToTargetMs: number | null;
  totalMs: number;
  flipAttemptsPerSecPerCore: number;
  stoppedBy: string;
}

async function runOurs(
  graph: MaxCutGraph,
  inst: Instance,
  seeds: number[],
  budgetMs: number,
  a: Args,
): Promise<OurRun[]> {
  const runs: OurRun[] = [];
  for (const seed of seeds) {
    const r = await solve(graph, {
      solver: a.solver,
      seed,
      timeLimitMs: budgetMs,
      targetEnergy: -inst.bestKnown,
      workers: a.workers,
    });
    if (r.cut !== cutValue(graph, r.spins)) throw new Error(`cut mismatch on ${inst.name}`);
    const reached = r.cut >= inst.bestKnown;
    runs.push({
      seed,
      cut: r.cut,
      timeToTargetMs: reached ? round(r.timeToBestMs) : null,
      totalMs: round(r.totalMs),
      flipAttemptsPerSecPerCore: Math.round(r.flipAttempts / (r.totalMs / 1000) / r.workers),
      stoppedBy: r.stoppedBy,
    });
    log(
      `${inst.name} seed ${seed}: cut ${r.cut}${reached ? ` at ${round(r.timeToBestMs)} ms` : ''} (${r.solver})`,
    );
  }
  return runs;
}

interface NealRun {
  seed: number;
  bestCut: number;
  timeToTargetMs: number | null;
  totalMs: number;
  flipAttemptsPerSec: number | null;
}

function python(): string | undefined {
  const py = path.join(venv, 'bin', 'python');
  const ok = (): boolean =>
    spawnSync(py, ['-c', 'import dwave.samplers, dimod'], { stdio: 'ignore' }).status === 0;
  if (existsSync(py) && ok()) return py;
  try {
    log(`creating ${path.relative(root, venv)} with ${NEAL_PACKAGE}`);
    execFileSync('python3', ['-m', 'venv', venv], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(py, ['-m', 'pip', 'install', '--quiet', NEAL_PACKAGE], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (error) {
    log(`cannot set up dwave-samplers: ${String(error)}`);
    return undefined;
  }
  return ok() ? py : undefined;
}

function runNeal(
  jobs: { inst: Instance; budgetMs: number }[],
  seeds: number[],
): { version: string; byName: Map<string, NealRun[]> } | { error: string } {
  const py = python();
  if (py === undefined) return { error: 'python venv with dwave-samplers unavailable' };
  const job = {
    seeds,
    instances: jobs.map(({ inst, budgetMs }) => ({
      name: inst.name,
      path: path.join(gsetDir, inst.name),
      target: inst.bestKnown,
      budgetMs,
    })),
  };
  const res = spawnSync(py, [runner], {
    input: JSON.stringify(job),
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  if (res.status !== 0) return { error: `neal runner exited with ${res.status}` };
  const out = JSON.parse(res.stdout) as { version: string; instances: { name: string; runs: NealRun[] }[] };
  return { version: out.version, byName: new Map(out.instances.map((i) => [i.name, i.runs])) };
}

export default async function anneal(argv: string[]): Promise<unknown> {
  const a = parseArgs(argv);
  const all = readBestKnown().filter((i) => existsSync(path.join(gsetDir, i.name)));
  const names = a.instances ?? (a.quick ? ['G1', 'G11', 'G14'] : all.map((i) => i.name));
  const chosen = names.map((name) => {
    const inst = all.find((i) => i.name === name);
    if (inst === undefined) throw new Error(`unknown or missing instance ${name}`);
    return inst;
  });
  const small = (i: Instance): boolean => i.n <= 1000;
  const seedsFor = (i: Instance): number[] => {
    const count = a.seeds ?? (a.quick ? 2 : small(i) ? 5 : 3);
    return Array.from({ length: count }, (_, k) => k + 1);
  };
  const budgetFor = (i: Instance): number => a.budgetMs ?? defaultBudget(i, a.quick);

  const results = [];
  for (const inst of chosen) {
    const graph = parseGset(readFileSync(path.join(gsetDir, inst.name), 'utf8'));
    const budgetMs = budgetFor(inst);
    log(
      `${inst.name}: n ${graph.n}, m ${graph.from.length}, best known ${inst.bestKnown}, budget ${budgetMs} ms`,
    );
    const kernel = await kernelSpeed(graph);
    const runs = await runOurs(graph, inst, seedsFor(inst), budgetMs, a);
    const cuts = runs.map((r) => r.cut);
    results.push({
      name: inst.name,
      n: graph.n,
      m: graph.from.length,
      type: inst.type,
      bestKnown: inst.bestKnown,
      bestKnownSource: inst.source,
      budgetMs,
      ours: {
        bestCut: Math.max(...cuts),
        medianCut: median(cuts),
        gapOfBestPercent: round((100 * (inst.bestKnown - Math.max(...cuts))) / inst.bestKnown, 3),
        fractionAtBestKnown: runs.filter((r) => r.timeToTargetMs !== null).length / runs.length,
        medianTimeToTargetMs: medianTtt(runs.map((r) => r.timeToTargetMs)),
        flipAttemptsPerSecPerCore: Math.round(median(runs.map((r) => r.flipAttemptsPerSecPerCore))),
        kernelFlipAttemptsPerSec: Math.round(kernel),
        runs,
      },
    });
  }

  const nealJobs = a.neal ? chosen.filter(small).map((inst) => ({ inst, budgetMs: budgetFor(inst) })) : [];
  let nealInfo: unknown = a.neal ? undefined : 'skipped (--no-neal)';
  if (nealJobs.length > 0) {
    const neal = runNeal(nealJobs, seedsFor(nealJobs[0]!.inst));
    if ('error' in neal) nealInfo = neal.error;
    else {
      nealInfo = {
        package: `dwave-samplers ${neal.version}`,
        protocol: 'Luby restarts of 128 sweeps × 4 reads per call, default beta range',
      };
      for (const r of results) {
        const runs = neal.byName.get(r.name);
        if (runs === undefined) continue;
        const nealMedian = medianTtt(runs.map((x) => x.timeToTargetMs));
        const censored = (ttts: (number | null)[]): number => median(ttts.map((t) => t ?? r.budgetMs));
        Object.assign(r, {
          neal: {
            bestCut: Math.max(...runs.map((x) => x.bestCut)),
            medianCut: median(runs.map((x) => x.bestCut)),
            fractionAtBestKnown: runs.filter((x) => x.timeToTargetMs !== null).length / runs.length,
            medianTimeToTargetMs: nealMedian,
            flipAttemptsPerSec: Math.round(median(runs.map((x) => x.flipAttemptsPerSec ?? 0))),
            runs,
          },
          tttRatioOursOverNeal: round(
            censored(r.ours.runs.map((x) => x.timeToTargetMs)) / censored(runs.map((x) => x.timeToTargetMs)),
            3,
          ),
        });
      }
    }
  }
  return {
    solver: a.solver,
    workers: a.workers,
    loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)),
    neal: nealInfo,
    instances: results,
  };
}
