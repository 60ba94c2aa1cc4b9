import { describe, expect, it } from 'vitest';
import { collide, relaxationRates, setEquilibrium } from './lbm-collision.js';

const CX = [0, 1, 0, -1, 0, 1, -1, -1, 1];
const CY = [0, 0, 1, 0, -1, 1, 1, -1, -1];

function moments(f: ArrayLike<number>): { rho: number; jx: number; jy: number } {
  let rho = 0;
  let jx = 0;
  let jy = 0;
  for (let q = 0; q < 9; q++) {
    rho += f[q]!;
    jx += CX[q]! * f[q]!;
    jy += CY[q]! * f[q]!;
  }
  return { rho, jx, jy };
}

function relax(f: Float32Array, wp: number, wm: number): Float32Array {
  const out = new Float32Array(9);
  collide(out, 1, 0, wp, wm, f[0]!, f[1]!, f[2]!, f[3]!, f[4]!, f[5]!, f[6]!, f[7]!, f[8]!);
  return out;
}

describe('D2Q9 collision', () => {
  it('builds an equilibrium with the requested density and velocity', () => {
    const f = new Float32Array(9);
    setEquilibrium(f, 1, 0, 1.02, 0.08, -0.03);
    const m = moments(f);
    expect(m.rho).toBeCloseTo(1.02, 6);
    expect(m.jx / m.rho).toBeCloseTo(0.08, 6);
    expect(m.jy / m.rho).toBeCloseTo(-0.03, 6);
  });

  for (const model of ['bgk', 'trt'] as const) {
    it(`conserves mass and momentum and leaves an equilibrium unchanged (${model})`, () => {
      const [wp, wm] = relaxationRates(0.52, model);
      const eq = new Float32Array(9);
      setEquilibrium(eq, 1, 0, 0.97, 0.1, 0.05);
      // Populations away from equilibrium, as after streaming.
      const fin = eq.map((x, q) => x * (1 + 0.2 * Math.sin(3 * q + 1)));
      const out = relax(fin, wp, wm);
      const before = moments(fin);
      const after = moments(out);
      expect(after.rho).toBeCloseTo(before.rho, 6);
      expect(after.jx).toBeCloseTo(before.jx, 6);
      expect(after.jy).toBeCloseTo(before.jy, 6);
      expect(Array.from(out)).not.toEqual(Array.from(fin));

      const still = relax(eq, wp, wm);
      for (let q = 0; q < 9; q++) expect(still[q]).toBeCloseTo(eq[q]!, 7);
    });
  }

  it('relaxes the odd part more slowly under TRT (Λ = 1/4) than under BGK', () => {
    const [bgkPlus, bgkMinus] = relaxationRates(0.6, 'bgk');
    const [trtPlus, trtMinus] = relaxationRates(0.6, 'trt');
    expect(bgkPlus).toBeCloseTo(1 / 0.6, 12);
    expect(bgkMinus).toBe(bgkPlus);
    expect(trtPlus).toBe(bgkPlus);
    expect((1 / trtPlus - 0.5) * (1 / trtMinus - 0.5)).toBeCloseTo(0.25, 12);
  });
});
