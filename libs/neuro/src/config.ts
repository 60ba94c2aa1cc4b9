/**
 * Configuration of a detector bank: defaults, validation (every problem listed at once, as a
 * ValidationError), and a hash of the resolved configuration that exported state carries so that
 * state is never restored into a differently built network.
 */
import { ValidationError, type FieldViolation } from '@simstream/errors';

export interface LikelihoodConfig {
  /** Steps at the start whose raw scores are not used at all (the readout is still learning). */
  readonly learningPeriod: number;
  /** Further steps collected before the first estimate; the likelihood is 0.5 until then. */
  readonly estimationSamples: number;
  /** How many recent averaged raw scores the distribution is fitted to. */
  readonly historicWindow: number;
  /** The short-term average of raw scores that is compared to the distribution. */
  readonly averagingWindow: number;
  /** Re-fit the distribution every this many steps. */
  readonly reestimationPeriod: number;
  /** Floor on the fitted standard deviation, so a perfectly predicted stream is not hair-triggered. */
  readonly minStd: number;
}

/** Score channels: prediction error, input deviation, pattern novelty, and leaving the seen range. */
export type ScoreChannel = 'error' | 'input' | 'novelty' | 'range' | 'repeat';
/** The channels whose raw values go through an anomaly likelihood. */
export type LikelihoodChannel = Exclude<ScoreChannel, 'range' | 'repeat'>;

export interface DetectorConfig {
  /** Length d of every feature vector. */
  readonly featureDim: number;
  /** Reservoir size N. */
  readonly neurons: number;
  /**
   * Independent reservoirs per stream (different random weights, each with its own readout and
   * patterns), run side by side in the batch dimension. The stream's prediction is their mean,
   * its novelty their mean novelty: less dependence on one draw of random weights.
   */
  readonly ensemble: number;
  /** Outgoing recurrent synapses per neuron (the recurrent matrix has N·degree non-zeros). */
  readonly recurrentDegree: number;
  /** Spectral radius the recurrent matrix is scaled to, in units of the firing threshold. */
  readonly spectralRadius: number;
  /** Fraction of neurons whose outgoing synapses are inhibitory. */
  readonly inhibitoryFraction: number;
  /** `population`: Gaussian receptive fields per feature; `rate`: current ∝ the value (±). */
  readonly encoding: 'population' | 'rate';
  /**
   * What the readout sees of the input directly, beside the traces: the normalised features,
   * their population code, or nothing. With `none` it must predict from the network's state
   * alone, so it cannot fall back on copying the last value, and a change of regime stays
   * surprising until the readout has re-learnt (the error channel alone: 52 → 62 on NAB).
   */
  readonly readoutInput: 'features' | 'code' | 'none';
  /** What the readout predicts: the next population code, or the next normalised features. */
  readonly readoutTarget: 'code' | 'features';
  /** Receptive fields per feature (population coding). */
  readonly populationSize: number;
  /** Encoding units each neuron listens to. */
  readonly inputDegree: number;
  readonly inputGain: number;
  /** Constant drive, as a fraction of threshold, spread uniformly over [0, 2·bias]. */
  readonly biasCurrent: number;
  /** Membrane time constant, in substeps. */
  readonly membraneTau: number;
  /** Substeps a neuron stays silent after a spike. */
  readonly refractorySteps: number;
  /** LIF updates per input step. */
  readonly substeps: number;
  /** Time constants, in steps, of the spike-rate traces the readout sees. */
  readonly traceTaus: readonly number[];
  /** How many neurons' traces (per time constant) feed the readout. */
  readonly readoutNeurons: number;
  readonly rlsForgetting: number;
  /** Initial P = I·rlsInitialGain; also the cap on trace(P)/F against wind-up. */
  readonly rlsInitialGain: number;
  /** Pattern clusters kept per stream. */
  readonly clusters: number;
  /** Cosine novelty above which a spike-rate vector starts a new pattern. */
  readonly clusterThreshold: number;
  /** Slowest a pattern centroid ever learns (its rate is max(1/count, this)). */
  readonly clusterMinRate: number;
  /** Half-life, in steps, of the running mean/variance used to normalise features. */
  readonly normaliserHalfLife: number;
  /** Normalised features are clipped to ±this. */
  readonly inputClip: number;
  /**
   * Weight of each feature's error in the raw score (length featureDim; empty = all 1). Zero
   * makes a feature context only: the reservoir sees it, the anomaly score ignores it.
   */
  readonly errorWeights: readonly number[];
  /**
   * Score channels combined by max: prediction error, input deviation, pattern novelty,
   * `range` (a weighted feature left the range seen so far, see rangeTolerance), and `repeat`
   * (an exact repeat of the previous step in a stream that rarely repeats, see repeat.ts).
   */
  readonly channels: readonly ScoreChannel[];
  /**
   * The error channel's likelihood sees min(rawScore, errorClip): one huge miss then counts as
   * one miss, so heavy-tailed series do not inflate the fitted spread (rawScore is reported as is).
   */
  readonly errorClip: number;
  /**
   * `range` fires when a value leaves [min − slack, max + slack] of its history, slack the larger
   * of rangeTolerance·(max − min) and rangeSigmas·(its running standard deviation).
   */
  readonly rangeTolerance: number;
  readonly rangeSigmas: number;
  /** `repeat` fires on an exact repeat of the weighted features while repeats so far are below this rate. */
  readonly repeatMaxRate: number;
  /** Score at or above which a step raises an alarm. */
  readonly alarmThreshold: number;
  /** Steps after an alarm during which the score stays quiet (0 = off). */
  readonly alarmRefractory: number;
  /**
   * A stream's first steps, which score 0 and never alarm (NAB's probationary period): until the
   * likelihoods have a distribution to compare with (learningPeriod + estimationSamples) the
   * score means nothing, and the second value of a stream always leaves the range of the first.
   */
  readonly probation: number;
  readonly likelihood: LikelihoodConfig;
  /** Per-channel overrides of `likelihood` (e.g. a longer average for the input deviation). */
  readonly channelLikelihood: Readonly<Partial<Record<LikelihoodChannel, Partial<LikelihoodConfig>>>>;
  readonly seed: number;
}

export type DetectorOptions = Partial<Omit<DetectorConfig, 'likelihood'>> & {
  readonly featureDim: number;
  readonly likelihood?: Partial<LikelihoodConfig>;
};

export const DEFAULT_LIKELIHOOD: LikelihoodConfig = {
  learningPeriod: 150,
  estimationSamples: 150,
  historicWindow: 8640,
  averagingWindow: 30,
  reestimationPeriod: 100,
  minStd: 1e-4,
};

export const DEFAULT_CONFIG: Omit<DetectorConfig, 'featureDim'> = {
  neurons: 400,
  ensemble: 1,
  recurrentDegree: 16,
  spectralRadius: 0.9,
  inhibitoryFraction: 0.2,
  encoding: 'population',
  readoutInput: 'none',
  readoutTarget: 'features',
  populationSize: 24,
  inputDegree: 4,
  inputGain: 1.2,
  biasCurrent: 0.05,
  membraneTau: 4,
  refractorySteps: 1,
  substeps: 2,
  traceTaus: [2, 12],
  readoutNeurons: 48,
  rlsForgetting: 0.9995,
  rlsInitialGain: 10,
  clusters: 32,
  clusterThreshold: 0.15,
  clusterMinRate: 0.02,
  normaliserHalfLife: 1e6,
  inputClip: 8,
  errorWeights: [],
  channels: ['error', 'input', 'novelty', 'range', 'repeat'],
  errorClip: 1,
  rangeTolerance: 0.05,
  rangeSigmas: 4,
  repeatMaxRate: 0.001,
  alarmThreshold: 0.45,
  alarmRefractory: 35,
  probation: 300,
  likelihood: DEFAULT_LIKELIHOOD,
  channelLikelihood: {},
  seed: 1,
};

function check(v: FieldViolation[], ok: boolean, field: string, description: string): void {
  if (!ok) v.push({ field, reason: 'OUT_OF_RANGE', description });
}

const isInt = (x: number, lo: number, hi: number): boolean => Number.isInteger(x) && x >= lo && x <= hi;
const inRange = (x: number, lo: number, hi: number): boolean => Number.isFinite(x) && x >= lo && x <= hi;

/** Fills in defaults and validates; throws a ValidationError listing every bad field. */
export function resolveConfig(options: DetectorOptions): DetectorConfig {
  const c: DetectorConfig = {
    ...DEFAULT_CONFIG,
    ...options,
    likelihood: { ...DEFAULT_LIKELIHOOD, ...options.likelihood },
    channelLikelihood: { ...DEFAULT_CONFIG.channelLikelihood, ...options.channelLikelihood },
  };
  const v: FieldViolation[] = [];
  check(v, isInt(c.featureDim, 1, 4096), 'featureDim', 'must be an integer in [1, 4096]');
  check(v, isInt(c.neurons, 8, 16384), 'neurons', 'must be an integer in [8, 16384]');
  check(v, isInt(c.ensemble, 1, 64), 'ensemble', 'must be an integer in [1, 64]');
  check(
    v,
    isInt(c.recurrentDegree, 1, Math.max(1, c.neurons - 1)),
    'recurrentDegree',
    'must be an integer in [1, neurons−1]',
  );
  check(v, inRange(c.spectralRadius, 0, 4), 'spectralRadius', 'must be in [0, 4]');
  check(v, inRange(c.inhibitoryFraction, 0, 1), 'inhibitoryFraction', 'must be in [0, 1]');
  check(
    v,
    c.encoding === 'population' || c.encoding === 'rate',
    'encoding',
    "must be 'population' or 'rate'",
  );
  check(
    v,
    c.readoutInput === 'features' || c.readoutInput === 'code' || c.readoutInput === 'none',
    'readoutInput',
    "must be 'features', 'code' or 'none'",
  );
  check(
    v,
    c.readoutTarget === 'features' || (c.readoutTarget === 'code' && c.encoding === 'population'),
    'readoutTarget',
    "must be 'features', or 'code' with population encoding",
  );
  check(v, isInt(c.populationSize, 2, 256), 'populationSize', 'must be an integer in [2, 256]');
  check(v, isInt(c.inputDegree, 1, 256), 'inputDegree', 'must be an integer in [1, 256]');
  check(v, inRange(c.inputGain, 0, 100), 'inputGain', 'must be in [0, 100]');
  check(v, inRange(c.biasCurrent, 0, 10), 'biasCurrent', 'must be in [0, 10]');
  check(v, inRange(c.membraneTau, 0.1, 1e4), 'membraneTau', 'must be in [0.1, 10000]');
  check(v, isInt(c.refractorySteps, 0, 100), 'refractorySteps', 'must be an integer in [0, 100]');
  check(v, isInt(c.substeps, 1, 32), 'substeps', 'must be an integer in [1, 32]');
  check(
    v,
    Array.isArray(c.traceTaus) &&
      c.traceTaus.length >= 1 &&
      c.traceTaus.length <= 8 &&
      c.traceTaus.every((t: number) => inRange(t, 0.1, 1e5)),
    'traceTaus',
    'must be 1 to 8 time constants in [0.1, 100000]',
  );
  check(v, isInt(c.readoutNeurons, 1, c.neurons), 'readoutNeurons', 'must be an integer in [1, neurons]');
  check(v, inRange(c.rlsForgetting, 0.9, 1), 'rlsForgetting', 'must be in [0.9, 1]');
  check(v, inRange(c.rlsInitialGain, 1e-6, 1e6), 'rlsInitialGain', 'must be in [1e-6, 1e6]');
  check(v, isInt(c.clusters, 1, 1024), 'clusters', 'must be an integer in [1, 1024]');
  check(v, inRange(c.clusterThreshold, 0, 1), 'clusterThreshold', 'must be in [0, 1]');
  check(v, inRange(c.clusterMinRate, 0, 1), 'clusterMinRate', 'must be in [0, 1]');
  check(
    v,
    inRange(c.normaliserHalfLife, 1, Number.MAX_VALUE),
    'normaliserHalfLife',
    'must be ≥ 1 (Infinity for all history)',
  );
  check(v, inRange(c.inputClip, 0.1, 1e6), 'inputClip', 'must be in [0.1, 1e6]');
  check(
    v,
    Array.isArray(c.errorWeights) &&
      (c.errorWeights.length === 0 || c.errorWeights.length === c.featureDim) &&
      c.errorWeights.every((w: number) => inRange(w, 0, 1e6)) &&
      (c.errorWeights.length === 0 || c.errorWeights.some((w: number) => w > 0)),
    'errorWeights',
    'must be empty or featureDim non-negative weights, not all zero',
  );
  check(
    v,
    Array.isArray(c.channels) &&
      c.channels.length > 0 &&
      c.channels.every((ch: string) => (SCORE_CHANNELS as readonly string[]).includes(ch)),
    'channels',
    "must be a non-empty list of 'error', 'input', 'novelty', 'range', 'repeat'",
  );
  check(v, inRange(c.errorClip, 1e-6, Number.MAX_VALUE), 'errorClip', 'must be > 0 (Infinity for none)');
  check(v, inRange(c.rangeTolerance, 0, 1e6), 'rangeTolerance', 'must be ≥ 0');
  check(v, inRange(c.rangeSigmas, 0, 1e6), 'rangeSigmas', 'must be ≥ 0');
  check(v, inRange(c.repeatMaxRate, 0, 1), 'repeatMaxRate', 'must be in [0, 1]');
  check(v, inRange(c.alarmThreshold, 0, 1), 'alarmThreshold', 'must be in [0, 1]');
  check(v, isInt(c.alarmRefractory, 0, 1e6), 'alarmRefractory', 'must be an integer in [0, 1000000]');
  check(v, isInt(c.probation, 0, 1e7), 'probation', 'must be an integer in [0, 10000000]');
  check(v, isInt(c.seed, 0, 2 ** 32 - 1), 'seed', 'must be an integer in [0, 2^32−1]');
  checkLikelihood(v, c.likelihood, 'likelihood');
  const overrides = c.channelLikelihood as Record<string, unknown>;
  for (const ch of Object.keys(overrides)) {
    if (!(LIKELIHOOD_CHANNELS as readonly string[]).includes(ch)) {
      check(v, false, `channelLikelihood.${ch}`, "must be one of 'error', 'input', 'novelty'");
    } else {
      checkLikelihood(v, channelLikelihood(c, ch as LikelihoodChannel), `channelLikelihood.${ch}`);
    }
  }
  if (v.length > 0) throw new ValidationError(v);
  return c;
}

function checkLikelihood(v: FieldViolation[], l: LikelihoodConfig, at: string): void {
  check(v, isInt(l.learningPeriod, 0, 1e7), `${at}.learningPeriod`, 'must be an integer ≥ 0');
  check(v, isInt(l.estimationSamples, 2, 1e7), `${at}.estimationSamples`, 'must be an integer ≥ 2');
  check(v, isInt(l.historicWindow, 2, 1e6), `${at}.historicWindow`, 'must be an integer in [2, 1e6]');
  check(v, isInt(l.averagingWindow, 1, 1e4), `${at}.averagingWindow`, 'must be an integer in [1, 10000]');
  check(v, isInt(l.reestimationPeriod, 1, 1e6), `${at}.reestimationPeriod`, 'must be an integer ≥ 1');
  check(v, inRange(l.minStd, 0, 1e6), `${at}.minStd`, 'must be ≥ 0');
}

export const SCORE_CHANNELS: readonly ScoreChannel[] = ['error', 'input', 'novelty', 'range', 'repeat'];
export const LIKELIHOOD_CHANNELS: readonly LikelihoodChannel[] = ['error', 'input', 'novelty'];

/** The likelihood settings of one channel: `likelihood` with the channel's overrides. */
export function channelLikelihood(c: DetectorConfig, ch: LikelihoodChannel): LikelihoodConfig {
  return { ...c.likelihood, ...c.channelLikelihood[ch] };
}

/** Width of the input as the readout sees it directly: the features, or their population code. */
export function readoutInputSize(c: DetectorConfig): number {
  if (c.readoutInput === 'none') return 0;
  return c.readoutInput === 'code' ? c.featureDim * c.populationSize : c.featureDim;
}

/** Readout features per stream: traces of `readoutNeurons` per time constant, the input, a bias. */
export function readoutSize(c: DetectorConfig): number {
  return c.readoutNeurons * c.traceTaus.length + readoutInputSize(c) + 1;
}

/** The seed of ensemble member k (member 0 uses the configured seed itself). */
export function memberSeed(c: DetectorConfig, k: number): number {
  return (c.seed ^ Math.imul(k, 0x9e3779b9)) >>> 0;
}

/** Each feature's weight in the raw score, normalised to sum to 1. */
export function errorWeights(c: DetectorConfig): number[] {
  const w =
    c.errorWeights.length === c.featureDim ? [...c.errorWeights] : new Array<number>(c.featureDim).fill(1);
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/** Per-stream width of what the readout predicts. */
export function targetSize(c: DetectorConfig): number {
  return c.readoutTarget === 'code' ? c.featureDim * c.populationSize : c.featureDim;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(value === Infinity ? 'Infinity' : value);
}

/** 64-bit FNV-1a of the canonical JSON of a resolved config, as 16 hex digits. */
export function configHash(c: DetectorConfig): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const byte of new TextEncoder().encode(canonical(c))) {
    h ^= BigInt(byte);
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
