import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import { GrayScott } from './gray-scott.js';
import { LbmCylinder } from './lbm-cylinder.js';

function violations(fn: () => void): { field: string; reason: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError)
      return error.violations.map(({ field, reason }) => ({ field, reason }));
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const copy = (sim: GrayScott | LbmCylinder, name: string) =>
  Float32Array.from(sim.fields().find((f) => f.name === name)!.data);

describe('GrayScott.update', () => {
  it('switches F and k from the next advance, shown in attributes at once', () => {
    const a = new GrayScott({ nx: 32, ny: 32, substeps: 10, preset: 'spots' });
    const b = new GrayScott({ nx: 32, ny: 32, substeps: 10, preset: 'spots' });
    a.advance(5);
    b.advance(5);
    a.update({ preset: 'maze' });
    expect(a.attributes()).toMatchObject({ preset: 'maze', F: '0.029', k: '0.057' });
    expect(copy(a, 'v')).toEqual(copy(b, 'v')); // nothing changes before the next advance
    a.advance();
    b.advance();
    expect(copy(a, 'v')).not.toEqual(copy(b, 'v'));
    a.update({ F: 0.03 });
    expect(a.attributes()).toMatchObject({ preset: 'maze', F: '0.03', k: '0.057' });
  });

  it('names every wrong, unknown or fixed parameter at once and changes nothing', () => {
    const sim = new GrayScott({ nx: 32, ny: 32 });
    const before = sim.attributes();
    expect(violations(() => sim.update({ F: -1, nx: 64, colour: 'red', dt: 5 }))).toEqual(
      expect.arrayContaining([
        { field: 'nx', reason: 'NOT_UPDATABLE' },
        { field: 'F', reason: 'OUT_OF_RANGE' },
        { field: 'colour', reason: 'UNKNOWN_OPTION' },
      ]),
    );
    expect(violations(() => sim.update({ dt: 5 }))).toEqual([{ field: 'dt', reason: 'UNSTABLE' }]);
    expect(violations(() => sim.update({ perturb: { x: 1, size: 2 } }))).toEqual([
      { field: 'perturb.size', reason: 'UNKNOWN_OPTION' },
    ]);
    expect(sim.attributes()).toEqual(before);
  });

  it('runs past the stability limit when asked to, and blows up', () => {
    const sim = new GrayScott({ nx: 32, ny: 32, substeps: 20, preset: 'spots', squareSize: 8 });
    sim.advance(10);
    sim.update({ dt: 3, stabilityCheck: false });
    expect(sim.attributes()).toMatchObject({ dt: '3', stability_check: 'false' });
    const timeBefore = sim.time;
    sim.advance(10);
    expect(sim.time).toBeCloseTo(timeBefore + 10 * 20 * 3, 9);
    const v = copy(sim, 'v');
    expect(v.some((x) => !Number.isFinite(x) || x > 1 || x < 0)).toBe(true);
  });

  it('nucleates a local perturbation once', () => {
    const sim = new GrayScott({ nx: 32, ny: 32, substeps: 1, squares: 0 });
    sim.update({ perturb: { x: 10, y: 20, radius: 2 } });
    sim.advance();
    const v = copy(sim, 'v');
    expect(v[20 * 32 + 10]).toBeGreaterThan(0.2);
    expect(v[5 * 32 + 5]).toBe(0);
    sim.advance();
    expect(sim.attributes()).not.toHaveProperty('perturb');
  });
});

describe('LbmCylinder.update', () => {
  it('changes the Reynolds number and the inflow, keeping the viscosity when the inflow stops', () => {
    const sim = new LbmCylinder({ nx: 64, ny: 32, reynolds: 20, substeps: 10 });
    sim.advance(5);
    sim.update({ reynolds: 100 });
    expect(sim.attributes()).toMatchObject({ reynolds: '100', inflow: 'true' });
    sim.advance(5);
    sim.update({ inflow: false });
    expect(sim.attributes()).toMatchObject({ inflow: 'false', reynolds: '100' });
    for (let i = 0; i < 100; i++) sim.advance();
    // With the inlet at rest the channel drains of momentum.
    expect(Math.abs(sim.probe(8, 16).ux)).toBeLessThan(0.02);
    expect(copy(sim, 'ux').every(Number.isFinite)).toBe(true);
  });

  it('moves and resizes the cylinder: uncovered cells become fluid, covered ones solid', () => {
    const sim = new LbmCylinder({ nx: 64, ny: 32, reynolds: 40, substeps: 10 });
    sim.advance(20);
    expect(sim.probe(16, 16)).toEqual({ rho: 1, ux: 0, uy: 0 }); // the centre is solid
    sim.update({ cylinderX: 30, diameter: 6 });
    expect(sim.attributes()).toMatchObject({ cylinder_x: '30', diameter: '6' });
    sim.advance(20);
    expect(sim.probe(16, 16).ux).toBeGreaterThan(0.02); // fluid again, flowing
    expect(sim.probe(30, 16)).toEqual({ rho: 1, ux: 0, uy: 0 });
    expect(sim.probe(32, 16)).toEqual({ rho: 1, ux: 0, uy: 0 }); // inside the larger cylinder
    expect(copy(sim, 'rho').every(Number.isFinite)).toBe(true);
  });

  it('refuses what would be unstable or is fixed, naming every parameter', () => {
    const sim = new LbmCylinder({ nx: 64, ny: 32 });
    expect(violations(() => sim.update({ nx: 100, collision: 'trt', velocity: 1 }))).toEqual(
      expect.arrayContaining([
        { field: 'nx', reason: 'NOT_UPDATABLE' },
        { field: 'collision', reason: 'NOT_UPDATABLE' },
        { field: 'velocity', reason: 'OUT_OF_RANGE' },
      ]),
    );
    expect(violations(() => sim.update({ reynolds: 1000 }))).toEqual([
      { field: 'reynolds', reason: 'UNSTABLE' },
    ]);
    expect(violations(() => sim.update({ reynolds: 400, velocity: 0.15 }))).toEqual([
      { field: 'diameter', reason: 'UNDER_RESOLVED' },
    ]);
    expect(violations(() => sim.update({ cylinderX: 60 }))).toEqual([
      { field: 'cylinderX', reason: 'OUT_OF_RANGE' },
    ]);
  });

  it('applies a one-off velocity kick where asked', () => {
    const a = new LbmCylinder({ nx: 64, ny: 32, reynolds: 20, substeps: 5 });
    a.advance(10);
    const before = a.probe(40, 16).uy;
    a.update({ perturb: { x: 40, y: 16, radius: 2, amplitude: 1 } });
    a.advance();
    expect(a.probe(40, 16).uy - before).toBeGreaterThan(0.02);
  });
});
