/**
 * NAB's threshold optimisation: one threshold per detector and profile for the whole corpus,
 * chosen among the distinct score values as the one with the highest total raw score. The
 * sweep adds detections in decreasing score order and keeps the total up to date, so it costs
 * one sort of all scored rows instead of one full scoring per candidate.
 */
import { type NabProfile, type PreparedFile, normalisedScore } from './nab-scorer.js';

export interface CorpusEntry {
  readonly file: PreparedFile;
  readonly scores: ArrayLike<number>;
}

export interface SweepResult {
  readonly threshold: number;
  readonly rawScore: number;
  readonly normalised: number;
  readonly windows: number;
}

/** Finds the threshold with the best total raw score over the corpus for one profile. */
export function optimiseThreshold(corpus: readonly CorpusEntry[], profile: NabProfile): SweepResult {
  let total = 0;
  let windows = 0;
  const windowBase: number[] = [];
  let rows = 0;
  for (const { file } of corpus) {
    windowBase.push(windows);
    windows += file.windows.length;
    rows += file.rows - file.probation;
  }
  total = -profile.fnWeight * windows;

  const score = new Float64Array(rows);
  const value = new Float64Array(rows);
  const win = new Int32Array(rows);
  let k = 0;
  corpus.forEach(({ file, scores }, f) => {
    const base = windowBase[f] ?? 0;
    for (let i = file.probation; i < file.rows; i++, k++) {
      score[k] = scores[i] ?? 0;
      const w = file.rowWindow[i] ?? -1;
      value[k] = file.rowWeight[i] ?? 0;
      win[k] = w >= 0 ? base + w : -1;
    }
  });
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  order.sort((a, b) => (score[b] ?? 0) - (score[a] ?? 0));

  const best = new Float64Array(windows).fill(Number.NaN);
  let bestTotal = total;
  let bestThreshold = rows > 0 ? (score[order[0] ?? 0] ?? 0) + 1 : 1;
  let j = 0;
  while (j < rows) {
    const s = score[order[j] ?? 0] ?? 0;
    // Every row with this same score becomes a detection at threshold s.
    while (j < rows && (score[order[j] ?? 0] ?? 0) === s) {
      const r = order[j] ?? 0;
      const w = win[r] ?? -1;
      const v = value[r] ?? 0;
      if (w < 0) total += profile.fpWeight * v;
      else {
        const b = best[w] ?? Number.NaN;
        if (Number.isNaN(b)) {
          total += profile.fnWeight + profile.tpWeight * v;
          best[w] = v;
        } else if (v > b) {
          total += profile.tpWeight * (v - b);
          best[w] = v;
        }
      }
      j++;
    }
    if (total > bestTotal) {
      bestTotal = total;
      bestThreshold = s;
    }
  }
  return {
    threshold: bestThreshold,
    rawScore: bestTotal,
    normalised: normalisedScore(bestTotal, windows, profile),
    windows,
  };
}
