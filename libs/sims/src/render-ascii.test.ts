import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import { renderAscii } from './render-ascii.js';
import type { FieldData } from './types.js';

function ramp(nx: number, ny: number): FieldData {
  const data = new Float32Array(nx * ny);
  for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) data[y * nx + x] = x / (nx - 1);
  return { name: 'ramp', dtype: 'float32', shape: [ny, nx], data };
}

describe('renderAscii', () => {
  it('maps low to high values onto the density ramp, left to right', () => {
    const text = renderAscii(ramp(100, 40), 10);
    const lines = text.split('\n');
    expect(lines).toHaveLength(2); // 10 columns × (40/100) / 2 for the character aspect
    for (const line of lines) expect(line).toBe(' .:-=+*#%@');
  });

  it('honours a fixed range and clamps outside it', () => {
    const text = renderAscii(ramp(20, 20), 4, { min: 0.4, max: 0.6, ramp: '01', charAspect: 1 });
    expect(text.split('\n')).toEqual(['0011', '0011', '0011', '0011']);
  });

  it('never renders wider than the field', () => {
    expect(renderAscii(ramp(8, 8), 100, { charAspect: 1 }).split('\n')[0]).toHaveLength(8);
  });

  it('refuses a bad width or a field that is not 2-D', () => {
    expect(() => renderAscii(ramp(8, 8), 0)).toThrow(ValidationError);
    const flat: FieldData = { name: 'x', dtype: 'float32', shape: [64], data: new Float32Array(64) };
    expect(() => renderAscii(flat, 10)).toThrow(ValidationError);
  });
});
