/**
 * A tiny text thumbnail of a 2-D field (block-averaged, mapped onto a density ramp), so a
 * terminal can show a live preview of a running simulation.
 */
import { ValidationError } from '@simstream/errors';
import type { FieldData } from './types.js';

export interface RenderAsciiOptions {
  /** Value range mapped onto the ramp; default the field's own min and max. */
  readonly min?: number;
  readonly max?: number;
  /** Characters from low to high. Default ' .:-=+*#%@'. */
  readonly ramp?: string;
  /** Height / width of a terminal character cell; default 2 (rows are taller than columns). */
  readonly charAspect?: number;
}

const DEFAULT_RAMP = ' .:-=+*#%@';

/** Renders `field` ([ny, nx]) as `width` columns and proportionally many rows, lines joined by \n. */
export function renderAscii(field: FieldData, width: number, options: RenderAsciiOptions = {}): string {
  const [ny, nx] = field.shape;
  const ramp = options.ramp ?? DEFAULT_RAMP;
  if (field.shape.length !== 2 || ny === undefined || nx === undefined || field.data.length !== nx * ny) {
    throw new ValidationError([
      { field: 'field.shape', reason: 'NOT_2D', description: 'renderAscii needs a 2-D field [ny, nx]' },
    ]);
  }
  if (!Number.isInteger(width) || width < 1 || ramp.length < 2) {
    throw new ValidationError([
      { field: 'width', reason: 'OUT_OF_RANGE', description: 'width must be a positive integer' },
    ]);
  }
  const cols = Math.min(width, nx);
  const rows = Math.max(1, Math.min(ny, Math.round((cols * ny) / nx / (options.charAspect ?? 2))));
  const data = field.data;
  let lo = options.min ?? Infinity;
  let hi = options.max ?? -Infinity;
  if (options.min === undefined || options.max === undefined) {
    for (let i = 0; i < data.length; i++) {
      const value = data[i]!;
      if (options.min === undefined && value < lo) lo = value;
      if (options.max === undefined && value > hi) hi = value;
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const y0 = Math.floor((r * ny) / rows);
    const y1 = Math.max(y0 + 1, Math.floor(((r + 1) * ny) / rows));
    let line = '';
    for (let c = 0; c < cols; c++) {
      const x0 = Math.floor((c * nx) / cols);
      const x1 = Math.max(x0 + 1, Math.floor(((c + 1) * nx) / cols));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += data[y * nx + x]!;
      const t = (sum / ((y1 - y0) * (x1 - x0)) - lo) / span;
      const level = Math.min(ramp.length - 1, Math.max(0, Math.floor(t * ramp.length)));
      line += ramp[level];
    }
    lines.push(line);
  }
  return lines.join('\n');
}
