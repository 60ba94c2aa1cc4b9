/**
 * `pnpm bench sim-events [--seeds 1,2,3] [--heldout 4,5,6] [--quick] [--config json]
 *   [--backend auto|wasm|cpu] [--dump file]`:
 * does the spiking detector tell a scientist what happened in a simulation? Generates labelled
 * runs of our own simulations (sim-events-runs.ts: Kármán onset, obstacle moved or resized,
 * inflow off, Gray–Scott regime switch, numerical trouble, quiet controls), turns every frame into
 * the neuromorphic service's feature vector, and runs three detectors on the same vectors in the
 * same process: the spiking detector exactly as the service builds it (library defaults, 400
 * neurons, all features weighted; `--config` overrides, for experiments), a rolling z-score and
 * an EWMA–CUSUM (sim-events-baselines.ts). Each detector's threshold comes from the same rule on
 * the tuning seeds; the held-out seeds are scored at that threshold (sim-events-score.ts).
 * `--stream <class> [--seed n]` instead sends one labelled run to a running stack, for the
 * dashboard (sim-events-stream.ts).
 */
import { writeFileSync } from 'node:fs';
import { initCompute, parseBackendChoice } from '@simstream/compute';
import { type DetectorOptions, createDetector, DEFAULT_CONFIG } from '@simstream/neuro';
import { ewmaCusum, rollingZScore } from './sim-events-baselines.js';
import { DEFAULT_SHAPE, type Run, type RunShape, generateRuns } from './sim-events-runs.js';
import { streamRun } from './sim-events-stream.js';
import { type Protocol, chooseThreshold, evaluate } from './sim-events-score.js';

const log = (msg: string): void => void process.stderr.write(`[sim-events] ${msg}\n`);

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function seedList(args: string[], name: string, fallback: number[]): number[] {
  const text = flag(args, name);
  if (text === undefined) return fallback;
  const seeds = text.split(',').map(Number);
  if (seeds.some((x) => !Number.isInteger(x) || x < 0)) {
    process.stderr.write(`sim-events: ${name} takes non-negative integers, e.g. ${name} 1,2,3\n`);
    process.exit(2);
  }
  return seeds;
}

/**
 * The spiking detector over every run: one detector per feature length (as the service's bank
 * builds them), all runs of that length stepped together, frame by frame.
 */
async function spikingScores(runs: readonly Run[], overrides: Partial<DetectorOptions>) {
  const scores = runs.map((r) => new Float64Array(r.features.length));
  const byDim = new Map<number, number[]>();
  runs.forEach((r, i) => {
    const d = r.features[0]!.length;
    byDim.set(d, [...(byDim.get(d) ?? []), i]);
  });
  let config: unknown;
  let configHash = '';
  for (const [featureDim, members] of byDim) {
    const detector = await createDetector({ ...overrides, featureDim });
    config = { ...detector.config, featureDim: 'per feature layout' };
    configHash = detector.configHash;
    const longest = Math.max(...members.map((i) => runs[i]!.features.length));
    for (let t = 0; t < longest; t++) {
      const live = members.filter((i) => t < runs[i]!.features.length);
      const results = detector.step(
        live.map((i) => ({ streamId: runs[i]!.id, features: runs[i]!.features[t]! })),
      );
      live.forEach((i, k) => (scores[i]![t] = results[k]!.anomalyScore));
      if (t % 500 === 0) log(`spiking detector, ${featureDim} features: frame ${t}/${longest}`);
    }
    detector.dispose();
  }
  return { scores, config, configHash };
}

/** `--stream` sends a run to a stack: its summary goes to sim-events-stream.json, not over the figures. */
export function resultsName(args: string[]): string {
  return flag(args, '--stream') === undefined ? 'sim-events' : 'sim-events-stream';
}

export default async function simEvents(args: string[]): Promise<unknown> {
  const stream = flag(args, '--stream');
  // Run k of seed n in the bench is generateRun(cls, n · 1000 + k): --seed n streams run 0 of seed n.
  if (stream !== undefined) return streamRun(stream, seedList(args, '--seed', [4])[0]! * 1000, process.env);
  const backend = parseBackendChoice(flag(args, '--backend'), '--backend');
  const info = await initCompute({ backend });
  log(`backend ${info.name} (${info.reason})`);
  const quick = args.includes('--quick');
  const tuning = seedList(args, '--seeds', quick ? [1] : [1, 2, 3]);
  const heldout = seedList(args, '--heldout', quick ? [4] : [4, 5, 6]);
  const shape: RunShape = quick ? { ...DEFAULT_SHAPE, runsPerClass: 1, quietRunsPerClass: 1 } : DEFAULT_SHAPE;
  const overrides = JSON.parse(flag(args, '--config') ?? '{}') as Partial<DetectorOptions>;
  const probation = overrides.probation ?? DEFAULT_CONFIG.probation;
  const protocol: Protocol = {
    probation,
    refractory: overrides.alarmRefractory ?? DEFAULT_CONFIG.alarmRefractory,
    budgetPer10k: 0.5,
  };

  const started = performance.now();
  const runs: Run[] = [];
  for (const seed of [...tuning, ...heldout]) {
    runs.push(...generateRuns(seed, shape));
    log(`seed ${seed}: ${runs.length} runs (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  const generated = performance.now();
  const spiking = await spikingScores(runs, overrides);
  const detected = performance.now();
  const zscore = rollingZScore();
  const cusum = ewmaCusum();
  const series: Record<string, Float64Array[]> = {
    spiking: spiking.scores,
    // The same probation for every detector: the baselines' first frames do not count either.
    zscore: runs.map((r) => zscore(r.features)),
    cusum: runs.map((r) => cusum(r.features)),
  };
  const isTuning = runs.map((r) => tuning.includes(Math.floor(r.seed / 1000)));
  const pick = <T>(xs: readonly T[], want: boolean): T[] => xs.filter((_, i) => isTuning[i] === want);
  const detectors: Record<string, unknown> = {};
  for (const [name, scores] of Object.entries(series)) {
    const threshold = chooseThreshold(pick(runs, true), pick(scores, true), protocol);
    detectors[name] = {
      threshold,
      tuning: evaluate(pick(runs, true), pick(scores, true), threshold, protocol),
      heldout: evaluate(pick(runs, false), pick(scores, false), threshold, protocol),
    };
  }
  // The service raises `alarm` at the detector's own alarmThreshold: how that fares, for reference.
  const own = overrides.alarmThreshold ?? DEFAULT_CONFIG.alarmThreshold;
  detectors['spikingAtServiceThreshold'] = {
    threshold: own,
    tuning: evaluate(pick(runs, true), pick(spiking.scores, true), own, protocol),
    heldout: evaluate(pick(runs, false), pick(spiking.scores, false), own, protocol),
  };
  const dump = flag(args, '--dump');
  if (dump !== undefined) {
    writeFileSync(
      dump,
      JSON.stringify({
        runs: runs.map((r) => ({ id: r.id, cls: r.cls, onset: r.onset, event: r.event })),
        scores: Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.map((s) => [...s])])),
      }),
    );
  }
  return {
    protocol: {
      ...protocol,
      threshold: `lowest with at most ${protocol.budgetPer10k} false alarms per 10,000 quiet frames of the tuning seeds`,
      window: 'NAB length (10 % of the run per event), starting at the onset',
    },
    shape,
    seeds: { tuning, heldout },
    spikingConfig: spiking.config,
    spikingConfigHash: spiking.configHash,
    backend: info.name,
    seconds: {
      generate: Math.round((generated - started) / 1000),
      spiking: Math.round((detected - generated) / 1000),
      total: Math.round((performance.now() - started) / 1000),
    },
    runs: runs.map((r) => ({
      id: r.id,
      cls: r.cls,
      frames: r.features.length,
      onset: r.onset,
      event: r.event,
    })),
    detectors,
  };
}
