/**
 * The `repeat` channel: a frame whose weighted features all equal the previous frame's exactly,
 * in a stream that (almost) never repeats. A simulation's frame statistics are never exactly the
 * same twice while it runs, so an exact repeat means a stuck or duplicated frame (a writer that
 * re-sends its buffer, a solver that stopped advancing); the likelihood channels see it only
 * once the readout has been wrong for several steps. Streams that repeat as a matter of course
 * (integer counts, flat stretches) disarm it: it fires only while repeats so far are fewer than
 * one per `1 / maxRate` steps. Host-side, per stream.
 */

/** Layout of the Float64Array state: [steps seen, repeats seen, previous features[d]]. */
export function repeatStateSize(d: number): number {
  return 2 + d;
}

export function initRepeatState(d: number): Float64Array {
  return new Float64Array(repeatStateSize(d));
}

/** Whether `x` repeats the previous step in every weighted feature, in a stream that rarely repeats. */
export function updateRepeat(
  state: Float64Array,
  x: ArrayLike<number>,
  weights: readonly number[],
  maxRate: number,
): boolean {
  const d = state.length - 2;
  const steps = state[0] ?? 0;
  const repeats = state[1] ?? 0;
  let same = steps > 0;
  for (let j = 0; j < d; j++) {
    if ((weights[j] ?? 0) > 0 && state[2 + j] !== (x[j] ?? 0)) same = false;
    state[2 + j] = x[j] ?? 0;
  }
  state[0] = steps + 1;
  if (!same) return false;
  state[1] = repeats + 1;
  return repeats < maxRate * steps;
}
