import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import { LbmCylinder } from './lbm-cylinder.js';

function field(sim: LbmCylinder, name: string): Float32Array {
  const found = sim.fields().find((f) => f.name === name);
  if (found === undefined) throw new Error(`no field ${name}`);
  return found.data;
}

function sum(data: Float32Array): number {
  let total = 0;
  for (const x of data) total += x;
  return total;
}

describe('LbmCylinder: shedding run (200 × 50 channel, D = 8, Re = 150)', () => {
  const D = 8;
  const U = 0.1;
  const steps = 3000;
  const settle = 1000;
  const uySeries: number[] = [];
  const massSeries: number[] = [];
  let maxSpeed = 0;
  let sawNaN = false;
  let probeX = 0;
  let probeY = 0;

  beforeAll(() => {
    const sim = new LbmCylinder({ nx: 200, ny: 50, diameter: D, velocity: U, reynolds: 150, substeps: 1 });
    const attrs = sim.attributes();
    probeX = Math.round(Number(attrs.cylinder_x) + 3 * D);
    probeY = Math.round(Number(attrs.cylinder_y));
    massSeries.push(sum(field(sim, 'rho')));
    for (let s = 1; s <= steps; s++) {
      sim.advance();
      uySeries.push(sim.probe(probeX, probeY).uy);
      if (s % 100 === 0) {
        const [ux, uy, rho, vorticity] = sim.fields().map((f) => f.data);
        massSeries.push(sum(rho!));
        for (let i = 0; i < ux!.length; i++) {
          const speed = Math.hypot(ux![i]!, uy![i]!);
          if (Number.isNaN(speed) || Number.isNaN(vorticity![i]!)) sawNaN = true;
          maxSpeed = Math.max(maxSpeed, speed);
        }
      }
    }
  });

  it('stays finite, with velocities bounded by a small multiple of the inlet speed', () => {
    expect(sawNaN).toBe(false);
    expect(maxSpeed).toBeGreaterThan(U); // flow accelerates past the cylinder …
    expect(maxSpeed).toBeLessThan(2.5 * U); // … but stays well below the lattice's limits
  });

  it('keeps the total mass within 1 % over 3000 steps (open inlet and outlet)', () => {
    const m0 = massSeries[0]!;
    for (const m of massSeries) expect(Math.abs(m - m0) / m0).toBeLessThan(0.01);
  });

  it('sheds a Kármán vortex street with Strouhal number St = f·D/U in 0.15–0.25', () => {
    // Upward zero crossings of the transverse velocity a few diameters behind the cylinder.
    const crossings: number[] = [];
    for (let s = settle + 1; s < uySeries.length; s++) {
      const a = uySeries[s - 1]!;
      const b = uySeries[s]!;
      if (a < 0 && b >= 0) crossings.push(s - 1 + a / (a - b));
    }
    expect(crossings.length).toBeGreaterThanOrEqual(4);
    const periods = crossings.slice(1).map((t, k) => t - crossings[k]!);
    const period = (crossings.at(-1)! - crossings[0]!) / periods.length;
    for (const p of periods) expect(Math.abs(p - period) / period).toBeLessThan(0.05); // periodic, not noise
    const amplitude = Math.max(...uySeries.slice(settle).map(Math.abs));
    expect(amplitude).toBeGreaterThan(0.3 * U);
    const strouhal = D / (period * U);
    expect(strouhal).toBeGreaterThan(0.15);
    expect(strouhal).toBeLessThan(0.25);
  });
});

describe('LbmCylinder', () => {
  const small = { nx: 120, ny: 40, diameter: 6, substeps: 10 };

  it('is deterministic for a seed and differs for another seed', () => {
    const a = new LbmCylinder({ ...small, seed: 5 });
    const b = new LbmCylinder({ ...small, seed: 5 });
    const c = new LbmCylinder({ ...small, seed: 6 });
    for (const sim of [a, b, c]) sim.advance(5);
    expect(field(a, 'uy')).toEqual(field(b, 'uy'));
    expect(field(a, 'rho')).toEqual(field(b, 'rho'));
    expect(field(a, 'uy')).not.toEqual(field(c, 'uy'));
  });

  it('exposes ux, uy, rho, vorticity as [ny, nx] views, consistent with probe()', () => {
    const sim = new LbmCylinder(small);
    sim.advance(3);
    expect(sim.step).toBe(30);
    expect(sim.time).toBeCloseTo((30 * 0.1) / 6, 12);
    const fields = sim.fields();
    expect(fields.map((f) => f.name)).toEqual(['ux', 'uy', 'rho', 'vorticity']);
    for (const f of fields) {
      expect(f.shape).toEqual([40, 120]);
      expect(f.data.length).toBe(40 * 120);
    }
    expect(sim.fields()[0]!.data).toBe(fields[0]!.data); // no copy
    const p = sim.probe(50, 13);
    expect(field(sim, 'ux')[13 * 120 + 50]).toBeCloseTo(p.ux, 6);
    expect(field(sim, 'uy')[13 * 120 + 50]).toBeCloseTo(p.uy, 6);
    expect(field(sim, 'rho')[13 * 120 + 50]).toBeCloseTo(p.rho, 6);
    expect(() => sim.probe(120, 0)).toThrow(ValidationError);
  });

  it('holds the inlet velocity, stops the fluid inside the cylinder, and gives shear layers of opposite spin', () => {
    const sim = new LbmCylinder({ ...small, perturbation: 0 });
    sim.advance(10);
    const { cylinder_x: cx, cylinder_y: cy } = sim.attributes();
    const x = Number(cx);
    const y = Number(cy);
    const at = (name: string, px: number, py: number): number => field(sim, name)[py * 120 + px]!;
    expect(at('ux', 0, 20)).toBeCloseTo(0.1, 6);
    expect(at('ux', x, y)).toBe(0);
    expect(at('rho', x, y)).toBe(1);
    // Flow is +x; above the cylinder (larger y) ux grows away from the wall: clockwise, ω < 0.
    expect(at('vorticity', x, y + 4)).toBeLessThan(0);
    expect(at('vorticity', x, y - 4)).toBeGreaterThan(0);
    expect(at('vorticity', x, y + 4)).toBeCloseTo(-at('vorticity', x, y - 4), 2);
  });

  for (const lateral of ['slip', 'no-slip', 'periodic'] as const) {
    for (const collision of ['bgk', 'trt'] as const) {
      it(`runs stably with ${lateral} top/bottom and ${collision.toUpperCase()} collision`, () => {
        const sim = new LbmCylinder({ ...small, lateral, collision, reynolds: 100, substeps: 100 });
        sim.advance(4);
        for (const f of sim.fields()) {
          for (const v of f.data) {
            if (!Number.isFinite(v)) throw new Error(`${f.name} is not finite`);
          }
        }
        const ux = field(sim, 'ux');
        expect(Math.max(...ux)).toBeLessThan(0.25);
        expect(sim.attributes().model).toContain(lateral);
      });
    }
  }
});
