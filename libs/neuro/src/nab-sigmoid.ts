/**
 * NAB's scaled sigmoid, the weight a detection gets from its position relative to an anomaly
 * window (see the rules in NAB's README): A(y) = 2/(1+e^{5y}) − 1, and −1 beyond y = 3.
 */

export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** A(−1): a detection at a window's left edge earns tpWeight, so in-window values divide by this. */
export const SIGMOID_AT_LEFT_EDGE = scaledSigmoid(-1);

/** Weight of the first detection at row `i` inside the window [left, right] (rows, inclusive). */
export function windowPositionWeight(i: number, left: number, right: number): number {
  const width = right - left + 1;
  return scaledSigmoid(-(right - i + 1) / width) / SIGMOID_AT_LEFT_EDGE;
}

/**
 * Weight (≤ 0 once past the window) of a false positive at row `i` after the window that ended at
 * `prevRight` and was `prevWidth` rows wide; y counts window widths past the right edge.
 */
export function afterWindowWeight(i: number, prevRight: number, prevWidth: number): number {
  const y = Math.abs(i - prevRight) / Math.max(prevWidth - 1, 1);
  return scaledSigmoid(y);
}
