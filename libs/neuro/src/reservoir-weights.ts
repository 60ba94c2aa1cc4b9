/**
 * The fixed, shared parts of the reservoir, built from the seed: sparse random recurrent weights
 * obeying Dale's law (each neuron all-excitatory or all-inhibitory, balanced in expectation) scaled
 * to a target spectral radius, the input weights from encoding units to neurons, and per-neuron
 * bias currents. Dense row-major Float32Arrays (presynaptic row, postsynaptic column) because
 * tfjs has no sparse matmul; the non-zero count is kept for the synaptic-event rate.
 */
import type { DetectorConfig } from './config.js';
import { gaussian, mulberry32 } from './prng.js';

export interface ReservoirWeights {
  /** [N, N]: current into j from a spike of i is w[i·N + j]. */
  readonly recurrent: Float32Array;
  readonly recurrentNonZeros: number;
  /** The spectral radius after scaling (estimated by power iteration). */
  readonly spectralRadius: number;
  /** [E, N], E = encoding units. */
  readonly input: Float32Array;
  readonly encodingUnits: number;
  /** [N] constant drive. */
  readonly bias: Float32Array;
}

/** Encoding units: `populationSize` receptive fields per feature, or an on and an off channel. */
export function encodingUnits(c: DetectorConfig): number {
  return c.encoding === 'population' ? c.featureDim * c.populationSize : 2 * c.featureDim;
}

/** Distinct random integers from [0, n) excluding `skip`, by partial Fisher–Yates. */
function pick(n: number, k: number, skip: number, rand: () => number, scratch: Int32Array): Int32Array {
  for (let i = 0; i < n; i++) scratch[i] = i;
  let len = n;
  if (skip >= 0 && skip < n) {
    scratch[skip] = scratch[n - 1] ?? 0;
    len = n - 1;
  }
  const m = Math.min(k, len);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (len - i));
    const t = scratch[i] ?? 0;
    scratch[i] = scratch[j] ?? 0;
    scratch[j] = t;
  }
  return scratch.subarray(0, m);
}

/**
 * Spectral radius of a sparse matrix by power iteration on norms: the geometric-mean growth
 * rate of ‖Wᵏx‖ converges to |λ_max| even when the leading eigenvalues are complex.
 */
export function estimateSpectralRadius(
  n: number,
  rows: Int32Array,
  cols: Int32Array,
  vals: Float32Array,
  seed: number,
  iterations = 300,
): number {
  const rand = mulberry32(seed ^ 0x5bd1e995);
  let x = new Float64Array(n).map(() => rand() - 0.5);
  let y = new Float64Array(n);
  let logGrowth = 0;
  let counted = 0;
  const burnIn = Math.floor(iterations / 3);
  for (let it = 0; it < iterations; it++) {
    y.fill(0);
    for (let e = 0; e < vals.length; e++) {
      const r = rows[e] ?? 0;
      y[cols[e] ?? 0]! += (vals[e] ?? 0) * (x[r] ?? 0);
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += (y[i] ?? 0) ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    for (let i = 0; i < n; i++) y[i] = (y[i] ?? 0) / norm;
    if (it >= burnIn) {
      logGrowth += Math.log(norm);
      counted++;
    }
    [x, y] = [y, x];
  }
  return Math.exp(logGrowth / counted);
}

export function buildReservoir(c: DetectorConfig): ReservoirWeights {
  const n = c.neurons;
  const rand = mulberry32(c.seed);
  const normal = gaussian(rand);
  const scratch = new Int32Array(Math.max(n, encodingUnits(c)));

  const inhibitory = Math.round(c.inhibitoryFraction * n);
  // Balance in expectation: inhibitory synapses are stronger by the E/I ratio.
  const inhibitoryScale = inhibitory > 0 ? (n - inhibitory) / inhibitory : 0;
  const nnz = n * Math.min(c.recurrentDegree, n - 1);
  const rows = new Int32Array(nnz);
  const cols = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  let e = 0;
  for (let i = 0; i < n; i++) {
    const sign = i < n - inhibitory ? 1 : -inhibitoryScale;
    for (const j of pick(n, c.recurrentDegree, i, rand, scratch)) {
      rows[e] = i;
      cols[e] = j;
      vals[e] = sign * Math.abs(normal());
      e++;
    }
  }
  const raw = estimateSpectralRadius(n, rows, cols, vals, c.seed);
  const scale = raw > 0 ? c.spectralRadius / raw : 0;
  const recurrent = new Float32Array(n * n);
  for (let k = 0; k < nnz; k++) {
    const v = (vals[k] ?? 0) * scale;
    vals[k] = v;
    recurrent[(rows[k] ?? 0) * n + (cols[k] ?? 0)] = v;
  }
  const spectralRadius = raw > 0 ? estimateSpectralRadius(n, rows, cols, vals, c.seed) : 0;

  const units = encodingUnits(c);
  const input = new Float32Array(units * n);
  for (let j = 0; j < n; j++) {
    for (const u of pick(units, c.inputDegree, -1, rand, scratch)) {
      input[u * n + j] = c.inputGain * (0.5 + 0.5 * rand());
    }
  }
  const bias = new Float32Array(n);
  for (let j = 0; j < n; j++) bias[j] = 2 * c.biasCurrent * rand();
  return { recurrent, recurrentNonZeros: nnz, spectralRadius, input, encodingUnits: units, bias };
}
