/**
 * The two simple detectors the spiking detector is measured against in `bench sim-events`, run on
 * the same feature vectors. Both are honest textbook detectors, causal, one configuration for
 * every run (no per-class settings):
 *
 * - rolling z-score: each feature against the mean and standard deviation of its previous
 *   `window` values; the score is the largest |z| over the features;
 * - CUSUM of the standardized distance: each feature standardized against its exponentially
 *   weighted mean and variance (before they take the value in), d = mean of z² (≈ 1 while
 *   nothing changes), S = max(0, S + d − 1 − drift); the score is S.
 *
 * Standard deviations get the detector normaliser's relative floor (1e-6·|mean|), so a constant
 * feature that moves by a rounding error is not an infinite surprise, and z is clipped at ±8 as
 * the detector's input is.
 */

export interface ScoreSeries {
  /** One score per frame; larger is more anomalous. */
  (features: readonly Float64Array[]): Float64Array;
}

const CLIP = 8;

function floorStd(std: number, mean: number): number {
  return std + 1e-6 * (Math.abs(mean) + 1e-6);
}

export function rollingZScore(window = 100): ScoreSeries {
  return (features) => {
    const n = features.length;
    const out = new Float64Array(n);
    const d = features[0]?.length ?? 0;
    const sum = new Float64Array(d);
    const sumSq = new Float64Array(d);
    for (let t = 0; t < n; t++) {
      const x = features[t]!;
      const count = Math.min(t, window);
      if (count >= 2) {
        let score = 0;
        for (let j = 0; j < d; j++) {
          const mean = sum[j]! / count;
          const variance = Math.max(0, sumSq[j]! / count - mean * mean);
          const z = Math.abs(x[j]! - mean) / floorStd(Math.sqrt(variance), mean);
          score = Math.max(score, Math.min(CLIP, z));
        }
        out[t] = score;
      }
      for (let j = 0; j < d; j++) {
        sum[j]! += x[j]!;
        sumSq[j]! += x[j]! * x[j]!;
        if (t >= window) {
          const old = features[t - window]![j]!;
          sum[j]! -= old;
          sumSq[j]! -= old * old;
        }
      }
    }
    return out;
  };
}

export function ewmaCusum(halfLife = 100, drift = 1): ScoreSeries {
  const rate = 1 - Math.pow(2, -1 / halfLife);
  return (features) => {
    const n = features.length;
    const out = new Float64Array(n);
    const d = features[0]?.length ?? 0;
    const mean = new Float64Array(d);
    const variance = new Float64Array(d);
    let s = 0;
    for (let t = 0; t < n; t++) {
      const x = features[t]!;
      // Early steps average everything seen, as the detector's normaliser does.
      const r = Math.max(1 / (t + 1), rate);
      let distance = 0;
      for (let j = 0; j < d; j++) {
        const m = mean[j]!;
        const delta = x[j]! - m;
        if (t >= 2) {
          const z = Math.min(CLIP, Math.abs(delta) / floorStd(Math.sqrt(variance[j]!), m));
          distance += z * z;
        }
        mean[j] = t === 0 ? x[j]! : m + r * delta;
        variance[j] = t === 0 ? 0 : (1 - r) * (variance[j]! + r * delta * delta);
      }
      if (t >= 2) s = Math.max(0, s + distance / d - 1 - drift);
      out[t] = s;
    }
    return out;
  };
}
