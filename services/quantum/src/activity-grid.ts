/**
 * Field activity on the simulation grid, coarse-grained to blocks: Σ |f − mean| over the cells
 * of each block, on the field's last two dimensions (leading dimensions, e.g. z of a 3-D field,
 * are summed into each column: a pencil decomposition of the domain). A 1-D field is a grid of
 * one row. Sums go straight into the blocks: memory is O(blocks + ny + nx), not O(cells), so a
 * frame of hundreds of MiB costs no more than its own bytes.
 */
import { fieldBytes, typedView, type FieldArray, type FrameField } from '@simstream/contracts';
import { SimstreamError } from '@simstream/errors';

export interface ActivityGrid {
  /** Cells of the grid. */
  readonly ny: number;
  readonly nx: number;
  readonly blocksY: number;
  readonly blocksX: number;
  /** First row of block row b, for b = 0..blocksY (the last entry is ny). */
  readonly rows: Int32Array;
  /** First column of block column b, for b = 0..blocksX. */
  readonly cols: Int32Array;
  /** Σ |f − mean| per block, row-major (blocksY × blocksX). */
  readonly activity: Float64Array;
  /** Cells per block (including the leading dimensions). */
  readonly cells: Float64Array;
}

/** Block boundaries along one axis: the start of block b for b = 0..blocks. */
function bounds(cells: number, blocks: number): Int32Array {
  const out = new Int32Array(blocks + 1);
  for (let b = 0; b <= blocks; b++) out[b] = Math.floor((b * cells) / blocks);
  return out;
}

/** The block of each cell along one axis. */
function blockOf(cells: number, edges: Int32Array): Int32Array {
  const out = new Int32Array(cells);
  for (let b = 0; b + 1 < edges.length; b++) out.fill(b, edges[b], edges[b + 1]);
  return out;
}

/**
 * Block activity of a grid given by an element reader (index = (d·ny + y)·nx + x): at most
 * `blocksPerSide` blocks per side, or blocksPerSide² in a row for a 1-D grid.
 */
export function blockActivity(
  ny: number,
  nx: number,
  depth: number,
  at: (i: number) => number,
  blocksPerSide: number,
): ActivityGrid {
  const blocksY = Math.min(ny, blocksPerSide);
  const blocksX = Math.min(nx, ny === 1 ? blocksPerSide * blocksPerSide : blocksPerSide);
  const rows = bounds(ny, blocksY);
  const cols = bounds(nx, blocksX);
  const rowBlock = blockOf(ny, rows);
  const colBlock = blockOf(nx, cols);
  const total = ny * nx * depth;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < total; i++) {
    const v = at(i);
    if (Number.isFinite(v)) {
      sum += v;
      finite++;
    }
  }
  const mean = finite === 0 ? 0 : sum / finite;
  const activity = new Float64Array(blocksY * blocksX);
  let i = 0;
  for (let d = 0; d < depth; d++) {
    for (let y = 0; y < ny; y++) {
      const rowBase = rowBlock[y]! * blocksX;
      for (let x = 0; x < nx; x++, i++) {
        const v = at(i);
        if (Number.isFinite(v)) activity[rowBase + colBlock[x]!]! += Math.abs(v - mean);
      }
    }
  }
  const cells = new Float64Array(blocksY * blocksX);
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      cells[by * blocksX + bx] = (rows[by + 1]! - rows[by]!) * (cols[bx + 1]! - cols[bx]!) * depth;
    }
  }
  return { ny, nx, blocksY, blocksX, rows, cols, activity, cells };
}

/** Why a frame yields no partition problem (also the label of the skipped-frames metric). */
export class FrameSkippedError extends SimstreamError {
  constructor(code: 'FIELD_MISSING' | 'GRID_TOO_SMALL' | 'FIELD_UNREADABLE', message: string) {
    super(code, message);
  }
}

/** IEEE 754 half precision to a double. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The element reader for a dtype: plain numbers for every type (float16 decoded, 64-bit ints rounded). */
function reader(dtype: FrameField['dtype'], array: FieldArray): (i: number) => number {
  if (dtype === 'float16') {
    const a = array as Uint16Array;
    return (i) => halfToNumber(a[i]!);
  }
  if (array instanceof BigInt64Array || array instanceof BigUint64Array) return (i) => Number(array[i]!);
  const a = array;
  return (i) => a[i]!;
}

/** The field to partition by: the one named, else the first. */
export function pickField(fields: readonly FrameField[], name: string | undefined): FrameField {
  const field = name === undefined ? fields[0] : fields.find((f) => f.name === name);
  if (field === undefined) {
    throw new FrameSkippedError(
      'FIELD_MISSING',
      name === undefined ? 'the frame has no fields' : `the frame has no field '${name}'`,
    );
  }
  return field;
}

/**
 * The block activity of a field. Non-finite values (NaN, ±Inf) count as no activity and are
 * left out of the mean.
 */
export async function activityGrid(field: FrameField, blocksPerSide: number): Promise<ActivityGrid> {
  let array: FieldArray;
  try {
    array = typedView(field.dtype, await fieldBytes(field));
  } catch (error) {
    throw new FrameSkippedError(
      'FIELD_UNREADABLE',
      `field '${field.name}' cannot be decoded: ${String(error)}`,
    );
  }
  const shape = field.shape;
  const nx = shape[shape.length - 1] ?? 0;
  const ny = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const depth = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  if (nx * ny < 2 || array.length !== nx * ny * depth) {
    throw new FrameSkippedError(
      'GRID_TOO_SMALL',
      `field '${field.name}' of shape [${shape.join(', ')}] has fewer than two cells to partition`,
    );
  }
  return blockActivity(ny, nx, depth, reader(field.dtype, array), blocksPerSide);
}
