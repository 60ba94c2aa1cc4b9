/**
 * A tempering ladder measured on the problem instead of guessed: a pilot anneal over the
 * default range records, sweep by sweep, the fraction of accepted flips and the energy. The hot
 * end is where the accepted fraction falls to HOT_ACCEPT (hotter replicas only randomise); the
 * cold end is the annealing end. Rungs are then placed so that neighbours differ by a fixed
 * product Δβ·ΔE of mean energies, which keeps swap acceptance roughly even, and gives dense
 * ladders where the energy changes fast with temperature.
 */
import { initFields, type CompiledIsing } from './compiled.js';
import { MetropolisKernel, type ChainState } from './metropolis.js';
import { Rng, randomSpins } from './rng.js';
import { geometricBetas, type BetaRange } from './schedule.js';

const HOT_ACCEPT = 0.25;
/**
 * Δβ·ΔE between neighbouring rungs. Measured on G2, G6, G11 and G14 (attempts to the best-known
 * cut, 8 seeds): 2 needed 0.6–1× the attempts of 1 with a third fewer replicas (G1: 1.5×).
 */
const RUNG_PRODUCT = 2;
const PILOT_SWEEPS = 400;
export const MIN_REPLICAS = 4;
export const MAX_REPLICAS = 64;

export interface PilotCurve {
  readonly betas: Float64Array;
  readonly accept: Float64Array;
  readonly energy: Float64Array;
}

/** Anneals once, returning smoothed acceptance and energy per β. Deterministic for the seed. */
export function pilotAnneal(
  p: CompiledIsing,
  range: BetaRange,
  seed: number,
  sweeps = PILOT_SWEEPS,
): PilotCurve {
  const kernel = new MetropolisKernel(p);
  const rng = new Rng(seed);
  const spins = randomSpins(p.n, rng);
  const field = new Float64Array(p.n);
  const st: ChainState = { spins, field, energy: initFields(p, spins, field), rng: rng.raw };
  const betas = geometricBetas(range, sweeps);
  const accept = new Float64Array(sweeps);
  const energy = new Float64Array(sweeps);
  for (let k = 0; k < sweeps; k++) {
    accept[k] = kernel.sweep(st, betas[k]!) / p.n;
    energy[k] = st.energy;
  }
  return { betas, accept: smooth(accept, 8), energy: smooth(energy, 8) };
}

function smooth(a: Float64Array, w: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) {
    let s = 0;
    let c = 0;
    for (let q = Math.max(0, k - w); q <= Math.min(a.length - 1, k + w); q++) {
      s += a[q]!;
      c++;
    }
    out[k] = s / c;
  }
  return out;
}

/** Inverse temperatures from the pilot curve (see the module comment). */
export function ladderFromPilot(curve: PilotCurve, maxReplicas = MAX_REPLICAS): Float64Array {
  const { betas, accept, energy } = curve;
  const last = betas.length - 1;
  let hot = 0;
  while (hot < last && accept[hot]! > HOT_ACCEPT) hot++;
  const rungs = [betas[hot]!];
  let k = hot;
  while (k < last) {
    let q = k + 1;
    while (q < last && (betas[q]! - betas[k]!) * Math.max(0, energy[k]! - energy[q]!) < RUNG_PRODUCT) q++;
    rungs.push(betas[q]!);
    k = q;
  }
  while (rungs.length < MIN_REPLICAS) rungs.push(rungs[rungs.length - 1]! * 1.25);
  if (rungs.length > maxReplicas) {
    // Too many rungs for the budget: keep the ends and space the rest geometrically.
    return geometricBetas({ betaStart: rungs[0]!, betaEnd: rungs[rungs.length - 1]! }, maxReplicas);
  }
  return Float64Array.from(rungs);
}
