/**
 * Field activity on the simulation grid: a frame field's values as |f − mean| per cell, on the
 * field's last two dimensions (leading dimensions, e.g. z of a 3-D field, are summed into each
 * column: a pencil decomposition of the domain). A 1-D field is a grid of one row.
 */
import { fieldBytes, typedView, type FieldArray, type FrameField } from '@simstream/contracts';
import { SimstreamError } from '@simstream/errors';

export interface ActivityGrid {
  readonly ny: number;
  readonly nx: number;
  /** Σ over leading dimensions of |f − mean| per (y, x), row-major. */
  readonly activity: Float64Array;
  /** Cells per column (product of the leading dimensions). */
  readonly depth: number;
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
 * The activity grid of a field. Non-finite values (NaN, ±Inf) count as no activity and are
 * left out of the mean.
 */
export async function activityGrid(field: FrameField): Promise<ActivityGrid> {
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
  const cells = nx * ny;
  const depth = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  if (cells < 2 || array.length !== cells * depth) {
    throw new FrameSkippedError(
      'GRID_TOO_SMALL',
      `field '${field.name}' of shape [${shape.join(', ')}] has fewer than two cells to partition`,
    );
  }
  const at = reader(field.dtype, array);
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < array.length; i++) {
    const v = at(i);
    if (Number.isFinite(v)) {
      sum += v;
      finite++;
    }
  }
  const mean = finite === 0 ? 0 : sum / finite;
  const activity = new Float64Array(cells);
  for (let d = 0; d < depth; d++) {
    const base = d * cells;
    for (let c = 0; c < cells; c++) {
      const v = at(base + c);
      if (Number.isFinite(v)) activity[c]! += Math.abs(v - mean);
    }
  }
  return { ny, nx, activity, depth };
}
