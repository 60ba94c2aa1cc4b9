import { describe, expect, it } from 'vitest';
import { GrayScott, GRAY_SCOTT_PRESETS } from './gray-scott.js';

function variance(data: Float32Array): number {
  let mean = 0;
  for (const x of data) mean += x;
  mean /= data.length;
  let sum = 0;
  for (const x of data) sum += (x - mean) ** 2;
  return sum / data.length;
}

function range(data: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of data) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return [lo, hi];
}

describe('GrayScott', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const a = new GrayScott({ nx: 64, ny: 48, seed: 9, substeps: 50 });
    const b = new GrayScott({ nx: 64, ny: 48, seed: 9, substeps: 50 });
    const c = new GrayScott({ nx: 64, ny: 48, seed: 10, substeps: 50 });
    for (const sim of [a, b, c]) sim.advance(4);
    expect(a.fields()[1]!.data).toEqual(b.fields()[1]!.data);
    expect(a.fields()[0]!.data).toEqual(b.fields()[0]!.data);
    expect(a.fields()[1]!.data).not.toEqual(c.fields()[1]!.data);
  });

  it('exposes u and v as [ny, nx] float32 views and counts solver steps and time', () => {
    const sim = new GrayScott({ nx: 40, ny: 24, substeps: 7, dt: 0.5 });
    expect(sim.step).toBe(0);
    sim.advance(3);
    expect(sim.step).toBe(21);
    expect(sim.time).toBeCloseTo(10.5, 12);
    const fields = sim.fields();
    expect(fields.map((f) => f.name)).toEqual(['u', 'v']);
    for (const field of fields) {
      expect(field.dtype).toBe('float32');
      expect(field.shape).toEqual([24, 40]);
      expect(field.data).toBeInstanceOf(Float32Array);
      expect(field.data.length).toBe(24 * 40);
    }
    expect(sim.attributes()).toMatchObject({
      kind: 'gray-scott',
      preset: 'coral',
      nx: '40',
      ny: '24',
      dt: '0.5',
    });
  });

  for (const preset of ['mitosis', 'coral', 'spots'] as const) {
    it(`keeps u, v in [0, 1] and forms a pattern (${preset})`, () => {
      const sim = new GrayScott({ preset, nx: 128, ny: 128, substeps: 100, seed: 3 });
      const v0 = Float32Array.from(sim.fields()[1]!.data);
      const covered = (v: Float32Array): number => v.filter((x) => x > 0.1).length / v.length;
      for (let frame = 0; frame < 12; frame++) {
        sim.advance();
        for (const field of sim.fields()) {
          const [lo, hi] = range(field.data);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(hi).toBeLessThanOrEqual(1);
        }
      }
      const v = sim.fields()[1]!.data;
      // The seeded squares split and spread into a pattern: far more structure and area than at t = 0.
      expect(variance(v)).toBeGreaterThan(2 * variance(v0));
      expect(covered(v)).toBeGreaterThan(2 * covered(v0));
      expect(GRAY_SCOTT_PRESETS[preset].F.toString()).toBe(sim.attributes().F);
    });
  }

  it('conserves u + v exactly when there is no feed and no kill (the periodic Laplacian sums to 0)', () => {
    const sim = new GrayScott({ nx: 50, ny: 30, F: 0, k: 0, substeps: 500, squares: 20, squareSize: 5 });
    const total = (): number => {
      const [u, v] = sim.fields();
      let sum = 0;
      for (let i = 0; i < u!.data.length; i++) sum += u!.data[i]! + v!.data[i]!;
      return sum;
    };
    const before = total();
    sim.advance(2);
    expect(Math.abs(total() - before) / before).toBeLessThan(1e-5);
  });

  it('diffuses isotropically: equal dips at equal radius along an axis and off it (9-point stencil)', () => {
    const n = 33;
    const sim = new GrayScott({ nx: n, ny: n, F: 0, k: 0, squares: 0, substeps: 40 });
    sim.fields()[0]!.data[16 * n + 16] = 0; // a single depleted cell in the middle, v = 0 everywhere
    sim.advance();
    const dip = (x: number, y: number): number => 1 - sim.fields()[0]!.data[y * n + x]!;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) expect(dip(x, y)).toBeCloseTo(dip(n - 1 - y, x), 6); // 90° rotation
    }
    // (5, 0) and (3, 4) are both at radius 5; the 5-point stencil would differ by 0.6 %.
    expect(dip(21, 16)).toBeGreaterThan(1e-3);
    expect(Math.abs(dip(21, 16) - dip(19, 20)) / dip(21, 16)).toBeLessThan(1e-3);
  });
});
