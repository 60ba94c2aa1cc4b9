/**
 * The `range` channel, after the "spatial anomaly" rule of HTM's NAB detector: a value that
 * leaves the range of everything its feature has shown so far, by more than a tolerance of that
 * range, is anomalous outright. It catches the first excursion to a new extreme at once, which
 * averaged likelihoods only see a few steps later. Host-side, per stream.
 */

/** Layout of the Float64Array state: [min[d], max[d]] (min > max while nothing has been seen). */
export function rangeStateSize(d: number): number {
  return 2 * d;
}

export function initRangeState(d: number): Float64Array {
  const s = new Float64Array(rangeStateSize(d));
  s.fill(Number.MAX_VALUE, 0, d);
  s.fill(-Number.MAX_VALUE, d, 2 * d);
  return s;
}

/**
 * Whether any feature with a positive weight is out of its range (widened by `tolerance` times
 * its width) before this value updates it. A feature that has shown one value only has no range yet.
 */
export function updateRange(
  state: Float64Array,
  x: ArrayLike<number>,
  weights: readonly number[],
  tolerance: number,
): boolean {
  const d = state.length / 2;
  let outside = false;
  for (let j = 0; j < d; j++) {
    const v = x[j] ?? 0;
    const lo = state[j] ?? 0;
    const hi = state[d + j] ?? 0;
    if ((weights[j] ?? 0) > 0 && hi > lo) {
      const slack = tolerance * (hi - lo);
      if (v > hi + slack || v < lo - slack) outside = true;
    }
    if (v < lo) state[j] = v;
    if (v > hi) state[d + j] = v;
  }
  return outside;
}
