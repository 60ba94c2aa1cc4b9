/**
 * Anomaly likelihood, after the idea of HTM's AnomalyLikelihood: the raw score is averaged over a
 * short window, a Gaussian is fitted to the recent history of those averages, and the likelihood
 * is the probability that a typical average is below the current one. Runs of consecutive
 * "red" likelihoods are damped (only the first of a run stays red), and the result is mapped to
 * [0, 1] on a log scale so that thresholds near certainty are spread out. Host-side, per stream,
 * with its whole state in one Float64Array so it is exported with the stream.
 */
import type { LikelihoodConfig } from './config.js';

const RED = 1 - 1e-5;
const YELLOW = 1 - 1e-3;
const HEADER = 6; // t, mean, std, lastEstimateAt (−1 none), previous unfiltered likelihood, history filled

export function likelihoodStateSize(c: LikelihoodConfig): number {
  return HEADER + c.averagingWindow + c.historicWindow;
}

export function initLikelihoodState(c: LikelihoodConfig): Float64Array {
  const s = new Float64Array(likelihoodStateSize(c));
  s[3] = -1;
  s[4] = 0.5;
  return s;
}

/** erfc with relative error < 1.2e-7 everywhere (Chebyshev fit, Numerical Recipes §6.2). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Maps a likelihood to [0, 1]: 1 − 10⁻¹⁰ and above give 1, 0.5 gives about 0.03. */
export function logScale(likelihood: number): number {
  const v = Math.log(1.0000000001 - likelihood) / Math.log(1e-10);
  return Math.max(0, Math.min(1, v));
}

export interface LikelihoodResult {
  readonly likelihood: number;
  readonly score: number;
}

/** Feeds one raw score; returns the (filtered) likelihood and its log-scaled score. */
export function updateLikelihood(s: Float64Array, c: LikelihoodConfig, raw: number): LikelihoodResult {
  const t = s[0] ?? 0;
  s[0] = t + 1;
  const A = c.averagingWindow;
  const H = c.historicWindow;
  s[HEADER + (t % A)] = raw;
  const n = Math.min(t + 1, A);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[HEADER + i] ?? 0;
  const avg = sum / n;

  if (t < c.learningPeriod) return { likelihood: 0.5, score: logScale(0.5) };
  const h = t - c.learningPeriod;
  s[HEADER + A + (h % H)] = avg;
  const filled = Math.min(h + 1, H);
  s[5] = filled;
  if (h + 1 < c.estimationSamples) return { likelihood: 0.5, score: logScale(0.5) };

  const last = s[3] ?? -1;
  if (last < 0 || t - last >= c.reestimationPeriod) {
    let m = 0;
    for (let i = 0; i < filled; i++) m += s[HEADER + A + i] ?? 0;
    m /= filled;
    let v = 0;
    for (let i = 0; i < filled; i++) v += ((s[HEADER + A + i] ?? 0) - m) ** 2;
    v /= Math.max(filled - 1, 1);
    s[1] = m;
    s[2] = Math.max(Math.sqrt(v), c.minStd);
    s[3] = t;
  }
  const z = (avg - (s[1] ?? 0)) / (s[2] ?? 1);
  const p = 1 - 0.5 * erfc(z / Math.SQRT2);
  const previous = s[4] ?? 0.5;
  s[4] = p;
  const likelihood = p > RED && previous > RED ? YELLOW : p;
  return { likelihood, score: logScale(likelihood) };
}
