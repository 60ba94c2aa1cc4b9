/**
 * Online feature normalisation, part of each stream's state: an exponentially weighted mean and
 * variance (rate max(1/count, 1 − 2^(−1/halfLife)), so early steps average everything seen).
 * A value is normalised against the statistics of the past, before it updates them, so a jump
 * shows up at full size.
 */

/** Layout of the Float64Array state: [count, mean[d], variance[d]]. */
export function normaliserStateSize(d: number): number {
  return 1 + 2 * d;
}

export function normalise(
  state: Float64Array,
  x: ArrayLike<number>,
  out: Float32Array,
  outOffset: number,
  halfLife: number,
  clip: number,
): void {
  const d = (state.length - 1) / 2;
  const count = (state[0] ?? 0) + 1;
  state[0] = count;
  const floorRate = Number.isFinite(halfLife) ? 1 - Math.pow(2, -1 / halfLife) : 0;
  const rate = Math.max(1 / count, floorRate);
  for (let j = 0; j < d; j++) {
    const xj = x[j] ?? 0;
    const mean = state[1 + j] ?? 0;
    const variance = state[1 + d + j] ?? 0;
    let z = 0;
    if (count > 1) {
      // Relative floor keeps near-constant series from turning rounding noise into huge z.
      const std = Math.sqrt(variance) + 1e-6 * (Math.abs(mean) + 1e-6);
      z = Math.max(-clip, Math.min(clip, (xj - mean) / std));
    }
    out[outOffset + j] = z;
    const delta = xj - mean;
    const nextMean = mean + rate * delta;
    state[1 + j] = nextMean;
    state[1 + d + j] = count === 1 ? 0 : (1 - rate) * (variance + rate * delta * delta);
  }
}
