/**
 * Inverse-temperature schedules. The default range comes from the coupling magnitudes:
 * hot enough at the start that a typical uphill flip is accepted half the time, cold enough at
 * the end that the smallest uphill flip is accepted about once in a hundred.
 */
import { ValidationError } from '@simstream/errors';
import type { CompiledIsing } from './compiled.js';

export interface BetaRange {
  readonly betaStart: number;
  readonly betaEnd: number;
}

export interface ScheduleOptions {
  /** Overrides the start of the default range. */
  readonly betaStart?: number;
  /** Overrides the end of the default range. */
  readonly betaEnd?: number;
  /** Sweeps per read (annealing) or in total per replica (tempering). */
  readonly sweeps?: number;
}

/** Acceptance of a typical uphill flip at the start, of the smallest one at the end. */
const START_ACCEPT = 0.5;
const END_ACCEPT = 0.01;

export function defaultBetaRange(p: CompiledIsing): BetaRange {
  return {
    betaStart: Math.log(1 / START_ACCEPT) / p.typicalDelta,
    betaEnd: Math.log(1 / END_ACCEPT) / p.minDelta,
  };
}

export function resolveBetaRange(p: CompiledIsing, options: ScheduleOptions = {}): BetaRange {
  const d = defaultBetaRange(p);
  const range = { betaStart: options.betaStart ?? d.betaStart, betaEnd: options.betaEnd ?? d.betaEnd };
  for (const [field, v] of Object.entries(range)) {
    if (!Number.isFinite(v) || v <= 0) {
      throw new ValidationError([
        { field: `schedule.${field}`, reason: 'OUT_OF_RANGE', description: `must be > 0, got ${v}` },
      ]);
    }
  }
  return range;
}

/** `sweeps` inverse temperatures from betaStart to betaEnd, geometric. */
export function geometricBetas(range: BetaRange, sweeps: number): Float64Array {
  const betas = new Float64Array(sweeps);
  if (sweeps === 1) {
    betas[0] = range.betaEnd;
    return betas;
  }
  const ratio = Math.pow(range.betaEnd / range.betaStart, 1 / (sweeps - 1));
  let b = range.betaStart;
  for (let k = 0; k < sweeps; k++) {
    betas[k] = b;
    b *= ratio;
  }
  betas[sweeps - 1] = range.betaEnd;
  return betas;
}
