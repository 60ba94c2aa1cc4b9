/**
 * Summary features of one field array, computed in a single pass with no allocation per
 * element (a 1 MiB float32 field is 262,144 reads, not 262,144 objects):
 *
 * - `mean`, `std`, `min`, `max`, `rms` (the L2 norm scaled by 1/√n, so fields of any size compare);
 * - `grad`: mean squared forward difference, x plus y (mean |∇f|² at unit spacing);
 * - `lowfreq`: the fraction of the variance carried by the means of a 4 × 4 grid of blocks
 *   (near 1 for smooth, large-scale structure; near 0 for fine-grained noise);
 * - `cx`, `cy`: the centroid of (f − mean)² in [0, 1] plane coordinates (where the activity is).
 *
 * The plane is the last two axes (row-major, index `y * nx + x`, as every frame producer here
 * writes it); leading axes are a stack of planes; a 1-D field is one row. Sums are taken about
 * the first finite value (shifted data), so the variance of a field far from zero keeps its
 * digits. NaN and ±Infinity are left out of every statistic and counted instead.
 */

export const FIELD_STATS = ['mean', 'std', 'min', 'max', 'rms', 'grad', 'lowfreq', 'cx', 'cy'] as const;
export const STATS_PER_FIELD = FIELD_STATS.length;

export type NumericArray =
  Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Blocks per plane axis of the low-frequency moment. */
const BLOCKS = 4;
/** Largest float32: features travel as Avro floats and must stay finite there. */
const FLOAT32_MAX = 3.4028234663852886e38;

// Scratch space reused by every call (the function is synchronous, so never shared in flight).
const blockSum = new Float64Array(BLOCKS * BLOCKS);
const blockCount = new Float64Array(BLOCKS * BLOCKS);
const colStart = new Int32Array(BLOCKS + 1);

function finiteFloat32(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.max(-FLOAT32_MAX, Math.min(FLOAT32_MAX, x));
}

function firstFinite(values: NumericArray): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v === 0) return v;
  }
  return 0;
}

/**
 * Writes the STATS_PER_FIELD features of `values` (shape `shape`) to `out[offset…]` and returns
 * how many elements were not finite.
 */
export function fieldFeatures(
  values: NumericArray,
  shape: readonly number[],
  out: Float64Array,
  offset: number,
): number {
  const n = values.length;
  let cols = shape.length >= 1 ? (shape[shape.length - 1] ?? n) : n;
  let rows = shape.length >= 2 ? (shape[shape.length - 2] ?? 1) : 1;
  if (!(cols > 0 && rows > 0 && n % (rows * cols) === 0)) {
    // A shape that does not describe the data (never from validated frames): read it as 1-D.
    cols = Math.max(n, 1);
    rows = 1;
  }
  const slices = n / (rows * cols);
  const bx = Math.min(BLOCKS, cols);
  const by = Math.min(BLOCKS, rows);
  // Column c is in block floor(c · bx / cols), like rows: block b starts at ceil(b · cols / bx).
  for (let b = 0; b <= bx; b++) colStart[b] = Math.ceil((b * cols) / bx);
  blockSum.fill(0);
  blockCount.fill(0);

  const shift = firstFinite(values);
  let count = 0;
  let sum = 0;
  let sumSq = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let gradX = 0;
  let gradXCount = 0;
  let gradY = 0;
  let gradYCount = 0;
  // Column-weighted sums (x centroid) per element; row-weighted sums (y centroid) per row.
  let colW0 = 0;
  let colW1 = 0;
  let colW2 = 0;
  let rowW0 = 0;
  let rowW1 = 0;
  let rowW2 = 0;

  for (let slice = 0; slice < slices; slice++) {
    const base = slice * rows * cols;
    for (let r = 0; r < rows; r++) {
      const blockRow = Math.floor((r * by) / rows) * bx;
      const rowBase = base + r * cols;
      let rowSum = 0;
      let rowSq = 0;
      let rowCount = 0;
      for (let b = 0; b < bx; b++) {
        const c0 = colStart[b]!;
        const c1 = colStart[b + 1]!;
        let segSum = 0;
        let segSq = 0;
        let segCount = 0;
        for (let c = c0; c < c1; c++) {
          const i = rowBase + c;
          const v = values[i]!;
          if (c > 0) {
            const dx = v - values[i - 1]!;
            if (dx - dx === 0) {
              gradX += dx * dx;
              gradXCount++;
            }
          }
          if (r > 0) {
            const dy = v - values[i - cols]!;
            if (dy - dy === 0) {
              gradY += dy * dy;
              gradYCount++;
            }
          }
          const x = v - shift;
          if (x - x !== 0) continue; // NaN or ±Infinity
          const xx = x * x;
          segSum += x;
          segSq += xx;
          segCount++;
          colW0 += c;
          colW1 += c * x;
          colW2 += c * xx;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        blockSum[blockRow + b]! += segSum;
        blockCount[blockRow + b]! += segCount;
        rowSum += segSum;
        rowSq += segSq;
        rowCount += segCount;
      }
      sum += rowSum;
      sumSq += rowSq;
      count += rowCount;
      rowW0 += r * rowCount;
      rowW1 += r * rowSum;
      rowW2 += r * rowSq;
    }
  }

  if (count === 0) {
    for (let k = 0; k < STATS_PER_FIELD; k++) out[offset + k] = 0;
    out[offset + 7] = 0.5;
    out[offset + 8] = 0.5;
    return n;
  }
  const m = sum / count; // mean of the shifted values
  const variance = Math.max(0, sumSq / count - m * m);
  const mean = shift + m;
  // Σ (x − m)² over the field, and the part of it the block means explain.
  const total = Math.max(0, sumSq - sum * m);
  let between = -sum * m;
  for (let b = 0; b < bx * by; b++) {
    const k = blockCount[b]!;
    if (k > 0) between += (blockSum[b]! * blockSum[b]!) / k;
  }
  const lowfreq = total > 0 ? Math.min(1, Math.max(0, between / total)) : 0;
  // Σ c (x − m)² = Σ c x² − 2m Σ c x + m² Σ c, and the same with rows.
  const weightX = colW2 - 2 * m * colW1 + m * m * colW0;
  const weightY = rowW2 - 2 * m * rowW1 + m * m * rowW0;
  const cx = total > 0 && cols > 1 ? Math.min(1, Math.max(0, weightX / total / (cols - 1))) : 0.5;
  const cy = total > 0 && rows > 1 ? Math.min(1, Math.max(0, weightY / total / (rows - 1))) : 0.5;
  const grad = (gradXCount > 0 ? gradX / gradXCount : 0) + (gradYCount > 0 ? gradY / gradYCount : 0);

  out[offset] = finiteFloat32(mean);
  out[offset + 1] = finiteFloat32(Math.sqrt(variance));
  out[offset + 2] = finiteFloat32(min);
  out[offset + 3] = finiteFloat32(max);
  out[offset + 4] = finiteFloat32(Math.sqrt(variance + mean * mean));
  out[offset + 5] = finiteFloat32(grad);
  out[offset + 6] = lowfreq;
  out[offset + 7] = cx;
  out[offset + 8] = cy;
  return n - count;
}
