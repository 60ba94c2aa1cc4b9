/**
 * Summary statistics of a frame field (min, max, mean, standard deviation, Euclidean norm) in
 * one pass over its typed array. NaN and infinities are left out and counted, so one bad cell
 * does not turn a whole field's statistics into NaN.
 */
import type { FieldArray } from '@simstream/contracts';

export interface FieldStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  readonly l2: number;
  /** Values that were NaN or infinite (left out of the statistics above). */
  readonly nonFinite: number;
}

/** Accumulates around a shift (the first finite value): numerically safe for large offsets. */
class Accumulator {
  private n = 0;
  private shift = 0;
  private s1 = 0;
  private s2 = 0;
  private sq = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;
  nonFinite = 0;

  /** Adds a finite run over `values` (any indexable numbers) from start to end. */
  addNumbers(values: ArrayLike<number>): void {
    let { n, shift, s1, s2, sq, lo, hi, nonFinite } = this;
    const length = values.length;
    for (let i = 0; i < length; i++) {
      const x = values[i]!;
      // x - x is 0 exactly for finite x, NaN otherwise: cheaper than Number.isFinite.
      if (x - x !== 0) {
        nonFinite++;
        continue;
      }
      if (n === 0) shift = x;
      const d = x - shift;
      s1 += d;
      s2 += d * d;
      sq += x * x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      n++;
    }
    Object.assign(this, { n, shift, s1, s2, sq, lo, hi, nonFinite });
  }

  result(): FieldStats {
    const { n } = this;
    if (n === 0) return { min: NaN, max: NaN, mean: NaN, std: NaN, l2: NaN, nonFinite: this.nonFinite };
    const meanShifted = this.s1 / n;
    const variance = Math.max(0, this.s2 / n - meanShifted * meanShifted);
    return {
      min: this.lo,
      max: this.hi,
      mean: this.shift + meanShifted,
      std: Math.sqrt(variance),
      l2: Math.sqrt(this.sq),
      nonFinite: this.nonFinite,
    };
  }
}

/** IEEE 754 half precision → number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

const BLOCK = 65_536;

/** Converts a block at a time (64-bit integers, half floats) so memory stays small. */
function addConverted(acc: Accumulator, length: number, at: (i: number) => number): void {
  const block = new Float64Array(Math.min(BLOCK, length));
  for (let start = 0; start < length; start += BLOCK) {
    const end = Math.min(length, start + BLOCK);
    for (let i = start; i < end; i++) block[i - start] = at(i);
    acc.addNumbers(end - start === block.length ? block : block.subarray(0, end - start));
  }
}

/**
 * Statistics of a field's values. `dtype` tells how to read arrays whose element type is not
 * the value type: float16 arrives as raw Uint16Array, 64-bit integers as BigInt arrays.
 */
export function fieldStats(values: FieldArray, dtype: string): FieldStats {
  const acc = new Accumulator();
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    addConverted(acc, values.length, (i) => Number(values[i]!));
  } else if (dtype === 'float16') {
    addConverted(acc, values.length, (i) => halfToNumber(values[i] as number));
  } else {
    acc.addNumbers(values);
  }
  return acc.result();
}
