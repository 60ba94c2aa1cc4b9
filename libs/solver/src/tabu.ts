/**
 * One-flip tabu search, the polish applied to annealed states: at every step flip the spin whose
 * flip lowers the energy most (or raises it least) among those not flipped in the last `tenure`
 * steps, unless a tabu flip would beat the best state seen (aspiration). It walks out of the
 * local minima where annealing freezes, along the cheapest ridge, without undoing itself.
 *
 * Each step scans all spins for the best move; flips update the neighbours' fields.
 */
import type { CompiledIsing } from './compiled.js';
import type { ChainState } from './metropolis.js';

export interface TabuOutcome {
  /** Steps taken. */
  steps: number;
  bestEnergy: number;
}

/**
 * Runs tabu steps on `st` until `maxStale` steps pass without improving the best, `maxSteps` in
 * all, or `shouldStop()` (checked every 1024 steps) says so. The best state is written to `best`.
 */
export function tabuSearch(
  p: CompiledIsing,
  st: ChainState,
  best: Int8Array,
  tenure: number,
  maxStale: number,
  maxSteps: number,
  shouldStop: () => boolean,
): TabuOutcome {
  const { n, rowPtr, colIdx, values } = p;
  const { spins, field } = st;
  const tabuUntil = new Float64Array(n);
  let bestEnergy = st.energy;
  best.set(spins);
  let e = st.energy;
  let lastImprove = 0;
  let x = st.rng | 0;
  let step = 0;
  for (; step < maxSteps; step++) {
    if (step - lastImprove > maxStale) break;
    if ((step & 1023) === 1023 && shouldStop()) break;
    let pick = -1;
    let pickDe = Infinity;
    let ties = 0;
    const aspiration = bestEnergy - e;
    for (let i = 0; i < n; i++) {
      const de = -2 * spins[i]! * field[i]!;
      if (tabuUntil[i]! > step && !(de < aspiration)) continue;
      if (de < pickDe) {
        pickDe = de;
        pick = i;
        ties = 1;
      } else if (de === pickDe) {
        // Reservoir choice among equal moves, so ties do not always favour low indices.
        ties++;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        if ((x >>> 0) % ties === 0) pick = i;
      }
    }
    if (pick < 0) break;
    const si = spins[pick]!;
    spins[pick] = -si;
    e += pickDe;
    const d = -2 * si;
    for (let k = rowPtr[pick]!; k < rowPtr[pick + 1]!; k++) field[colIdx[k]!]! += d * values[k]!;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    tabuUntil[pick] = step + tenure + ((x >>> 0) % Math.max(1, tenure >> 1));
    if (e < bestEnergy) {
      bestEnergy = e;
      best.set(spins);
      lastImprove = step;
    }
  }
  st.energy = e;
  st.rng = x;
  return { steps: step, bestEnergy };
}
