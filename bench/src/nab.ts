/**
 * `pnpm bench nab [--backend auto|wasm|cpu|…] [--skip-speed] [--skip-scorer-check] [--skip-detector]
 *   [--config json] [--seeds 1,2,3] [--dump file]`:
 * runs the spiking detector causally over the NAB corpus (all 58 series as 58 streams of one
 * bank, one configuration), scores it with our NAB scorer under the three profiles, checks the
 * scorer against the published results of two reference detectors, and times a step for 1 and
 * 1,000 streams on the WASM and CPU backends. The corpus is read from SIMSTREAM_NAB_DIR or
 * <repo>/../shared/data/nab; it is not part of the repository.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BackendChoice, initCompute, parseBackendChoice, tf } from '@simstream/compute';
import {
  type DetectorOptions,
  NabCorpus,
  NabCorpusError,
  type PreparedFile,
  createDetector,
  optimiseThreshold,
  prepareFile,
} from '@simstream/neuro';

const PROFILES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;

/** The one configuration used for the whole corpus (library defaults plus the input width). */
export const NAB_DETECTOR: DetectorOptions = { featureDim: 3, errorWeights: [1, 0, 0] };

/**
 * A row's features: the value and the time of day on the unit circle (as HTM's NAB detector
 * encodes time of day), so daily patterns are learnable. Everything comes from the row itself.
 */
function rowFeatures(timestamp: string, value: number): Float32Array {
  const h = Number(timestamp.slice(11, 13));
  const m = Number(timestamp.slice(14, 16));
  const s = Number(timestamp.slice(17, 19));
  const day = (2 * Math.PI * (h * 3600 + m * 60 + s)) / 86400;
  return Float32Array.of(value, Math.sin(day), Math.cos(day));
}

const log = (msg: string): void => void process.stderr.write(`[nab] ${msg}\n`);

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function corpusDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return process.env['SIMSTREAM_NAB_DIR'] ?? path.resolve(here, '..', '..', '..', 'shared', 'data', 'nab');
}

function scoreAll(
  prepared: readonly PreparedFile[],
  scores: readonly ArrayLike<number>[],
  corpus: NabCorpus,
) {
  const profiles = corpus.profiles();
  const entries = prepared.map((file, i) => ({ file, scores: scores[i]! }));
  const out: Record<string, { score: number; threshold: number; rawScore: number }> = {};
  for (const p of PROFILES) {
    const r = optimiseThreshold(entries, profiles[p]!);
    out[p] = { score: round(r.normalised, 2), threshold: r.threshold, rawScore: round(r.rawScore, 4) };
  }
  return out;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

function scorerCheck(corpus: NabCorpus, prepared: readonly PreparedFile[]) {
  const published = corpus.finalResults();
  const check: Record<string, unknown> = {};
  let maxDiff = 0;
  for (const detector of ['numenta', 'relativeEntropy']) {
    const scores = prepared.map((f) => corpus.referenceScores(detector, f.name));
    const ours = scoreAll(prepared, scores, corpus);
    const rows: Record<string, unknown> = {};
    for (const p of PROFILES) {
      const pub = published[detector]?.[p] ?? Number.NaN;
      const diff = Math.abs((ours[p]?.score ?? 0) - pub);
      maxDiff = Math.max(maxDiff, diff);
      rows[p] = { ours: ours[p]?.score, published: round(pub, 2), diff: round(diff, 3) };
    }
    check[detector] = rows;
  }
  return { ...check, maxAbsDiff: round(maxDiff, 3), pass: maxDiff <= 0.5 };
}

async function runNab(
  corpus: NabCorpus,
  prepared: readonly PreparedFile[],
  overrides: Partial<DetectorOptions>,
  dump: string | undefined,
) {
  const names = prepared.map((f) => f.name);
  const series = names.map((n) => corpus.series(n));
  const detector = await createDetector({ ...NAB_DETECTOR, ...overrides });
  const longest = Math.max(...series.map((s) => s.values.length));
  const scores = series.map((s) => new Float64Array(s.values.length));
  const raws = series.map((s) => new Float64Array(s.values.length));
  const novelties = series.map((s) => new Float64Array(s.values.length));
  const started = performance.now();
  for (let t = 0; t < longest; t++) {
    const batch = [];
    for (let i = 0; i < series.length; i++) {
      const v = series[i]!.values;
      if (t < v.length)
        batch.push({ streamId: names[i]!, features: rowFeatures(series[i]!.timestamps[t]!, v[t]!) });
    }
    const results = detector.step(batch);
    let k = 0;
    for (let i = 0; i < series.length; i++) {
      if (t >= series[i]!.values.length) continue;
      const r = results[k++]!;
      scores[i]![t] = r.anomalyScore;
      raws[i]![t] = r.rawScore;
      novelties[i]![t] = r.novelty;
    }
    if (t % 2000 === 0) log(`step ${t}/${longest} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = detector.stats();
  if (dump !== undefined) {
    writeFileSync(
      dump,
      JSON.stringify({
        names,
        scores: scores.map((s) => [...s]),
        raws: raws.map((s) => [...s]),
        novelties: novelties.map((s) => [...s]),
      }),
    );
  }
  const result = {
    config: detector.config,
    configHash: detector.configHash,
    spectralRadius: round(detector.spectralRadius, 4),
    backend: detector.backend.name,
    rows: stats.streamSteps,
    batchedSteps: stats.steps,
    seconds: round(seconds, 1),
    synapticEventsPerSecond: Math.round(stats.synapticEvents / seconds),
    scores: scoreAll(prepared, scores, corpus),
  };
  detector.dispose();
  return result;
}

async function speed(backend: BackendChoice, streams: number, steps: number) {
  await initCompute({ backend });
  const detector = await createDetector({ featureDim: 4 });
  const ids = Array.from({ length: streams }, (_, i) => `s${i}`);
  let phase = 0;
  const batch = () =>
    ids.map((streamId, i) => {
      phase++;
      return {
        streamId,
        features: Float32Array.of(Math.sin(phase / 50 + i), Math.cos(phase / 30), i % 7, phase % 11),
      };
    });
  for (let i = 0; i < 3; i++) detector.step(batch());
  const before = detector.stats();
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) detector.step(batch());
  const ms = performance.now() - t0;
  const after = detector.stats();
  const events = after.synapticEvents - before.synapticEvents;
  const leaked = tf.memory().numTensors - tensorsBefore;
  detector.dispose();
  return {
    backend,
    streams,
    steps,
    msPerStep: round(ms / steps, 3),
    msPerStreamStep: round(ms / steps / streams, 4),
    synapticEventsPerSecond: Math.round(events / (ms / 1000)),
    tensorsLeaked: leaked,
  };
}

export default async function nab(args: string[]): Promise<unknown> {
  const backend = parseBackendChoice(flag(args, '--backend'), '--backend');
  const info = await initCompute({ backend });
  log(`backend ${info.name} (${info.reason})`);
  const dir = corpusDir();
  let corpus: NabCorpus;
  try {
    corpus = new NabCorpus(dir);
  } catch (error) {
    if (!(error instanceof NabCorpusError)) throw error;
    process.stderr.write(`nab: ${error.message}\n`);
    process.exit(2);
  }
  const windows = corpus.windows();
  const prepared = corpus
    .seriesNames()
    .map((n) => prepareFile(n, corpus.series(n).timestamps, windows[n] ?? []));
  log(`${prepared.length} series from ${dir}`);

  const report: Record<string, unknown> = {};
  if (!args.includes('--skip-scorer-check')) report['scorerCheck'] = scorerCheck(corpus, prepared);
  // --config '{"…": …}' overrides the configuration, for experiments; the report shows it whole.
  const overrides = JSON.parse(flag(args, '--config') ?? '{}') as Partial<DetectorOptions>;
  if (!args.includes('--skip-detector')) {
    // --seeds 1,2,3: the same configuration with other random weights, one full run each (the
    // spread is the part of a score that is luck); --dump then gets a .seed<n> suffix.
    const seeds = flag(args, '--seeds')?.split(',').map(Number);
    if (seeds?.some((x) => !Number.isInteger(x) || x < 0)) {
      process.stderr.write('nab: --seeds takes non-negative integers, e.g. --seeds 1,2,3\n');
      process.exit(2);
    }
    if (seeds === undefined) {
      report['detector'] = await runNab(corpus, prepared, overrides, flag(args, '--dump'));
    } else {
      const runs: Awaited<ReturnType<typeof runNab>>[] = [];
      for (const seed of seeds) {
        log(`seed ${seed}`);
        const dump = flag(args, '--dump');
        runs.push(await runNab(corpus, prepared, { ...overrides, seed }, dump && `${dump}.seed${seed}`));
      }
      const mean = (p: (typeof PROFILES)[number]) =>
        round(runs.reduce((a, r) => a + (r.scores[p]?.score ?? 0), 0) / runs.length, 2);
      report['detector'] = {
        runs,
        seeds,
        meanScores: Object.fromEntries(PROFILES.map((p) => [p, mean(p)])),
      };
    }
  }
  if (!args.includes('--skip-speed')) {
    const runs = [];
    for (const be of ['wasm', 'cpu'] as const) {
      for (const [streams, steps] of [
        [1, be === 'cpu' ? 50 : 200],
        [1000, be === 'cpu' ? 2 : 10],
      ] as const) {
        log(`speed ${be} ${streams} streams`);
        runs.push(await speed(be, streams, steps));
      }
    }
    report['speed'] = runs;
  }
  return report;
}
