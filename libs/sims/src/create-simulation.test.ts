import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import { createSimulation, SIMULATION_KINDS } from './create-simulation.js';
import { GrayScott } from './gray-scott.js';
import { LbmCylinder } from './lbm-cylinder.js';

/** The violations (field → reason) of the ValidationError that `build` throws. */
function violations(build: () => unknown): Record<string, string> {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const e = error as ValidationError;
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.retriable).toBe(false);
    return Object.fromEntries(e.violations.map((v) => [v.field, v.reason]));
  }
  throw new Error('expected a ValidationError');
}

describe('createSimulation', () => {
  it('builds every kind with its defaults', () => {
    expect(SIMULATION_KINDS).toEqual(['gray-scott', 'lbm-cylinder']);
    const gs = createSimulation('gray-scott', { nx: 32, ny: 32 });
    expect(gs).toBeInstanceOf(GrayScott);
    expect(gs.kind).toBe('gray-scott');
    const lbm = createSimulation('lbm-cylinder');
    expect(lbm).toBeInstanceOf(LbmCylinder);
    expect(lbm.attributes()).toMatchObject({ nx: '400', ny: '100', reynolds: '150', diameter: '13' });
  });

  it('names an unknown kind', () => {
    expect(violations(() => createSimulation('navier-stokes'))).toEqual({ kind: 'UNKNOWN_SIMULATION' });
  });

  it('lists every bad Gray–Scott option at once, unknown options included', () => {
    const found = violations(() =>
      createSimulation('gray-scott', { nx: 4, ny: 10.5, preset: 'zebra', F: '0.03', colour: 'red' }),
    );
    expect(found).toEqual({
      nx: 'OUT_OF_RANGE',
      ny: 'NOT_AN_INTEGER',
      preset: 'NOT_ALLOWED',
      F: 'NOT_A_NUMBER',
      colour: 'UNKNOWN_OPTION',
    });
  });

  it('refuses a Gray–Scott time step beyond the explicit stability limit, naming the limit', () => {
    expect(violations(() => createSimulation('gray-scott', { dt: 1.5 }))).toEqual({ dt: 'UNSTABLE' });
    expect(() => createSimulation('gray-scott', { dt: 1.5 })).toThrow(/dt: must be <= 1\.1/);
    expect(violations(() => createSimulation('gray-scott', { Du: 0.4 }))).toEqual({ dt: 'UNSTABLE' });
    expect(() => createSimulation('gray-scott', { Du: 0.4, dt: 0.5 })).not.toThrow();
    expect(
      violations(() => createSimulation('gray-scott', { nx: 2048, ny: 2048, squareSize: 9000 })),
    ).toEqual({
      squareSize: 'OUT_OF_RANGE',
    });
  });

  it('refuses lattice-Boltzmann parameters outside the stable, low-Mach range', () => {
    // τ = 3·U·D/Re + 1/2 too close to 1/2.
    expect(violations(() => createSimulation('lbm-cylinder', { reynolds: 5000, velocity: 0.01 }))).toEqual({
      reynolds: 'UNSTABLE',
    });
    // Mach = U·√3 above 0.3.
    expect(violations(() => createSimulation('lbm-cylinder', { velocity: 0.2 }))).toEqual({
      velocity: 'OUT_OF_RANGE',
    });
    expect(() => createSimulation('lbm-cylinder', { velocity: 0.2 })).toThrow(/velocity: must be .*Mach/);
    // Re/D above what the collision model survives.
    expect(violations(() => createSimulation('lbm-cylinder', { reynolds: 1000 }))).toEqual({
      diameter: 'UNDER_RESOLVED',
    });
    expect(violations(() => createSimulation('lbm-cylinder', { reynolds: 300, collision: 'trt' }))).toEqual({
      diameter: 'UNDER_RESOLVED',
    });
    expect(() => createSimulation('lbm-cylinder', { reynolds: 300 })).not.toThrow();
  });

  it('refuses a lattice-Boltzmann geometry that does not fit', () => {
    expect(violations(() => createSimulation('lbm-cylinder', { cylinderX: 10 }))).toEqual({
      cylinderX: 'OUT_OF_RANGE',
    });
    expect(violations(() => createSimulation('lbm-cylinder', { cylinderY: 95 }))).toEqual({
      cylinderY: 'OUT_OF_RANGE',
    });
    expect(violations(() => createSimulation('lbm-cylinder', { diameter: 3 }))).toEqual({
      diameter: 'OUT_OF_RANGE',
    });
    expect(violations(() => createSimulation('lbm-cylinder', { nx: 4096, ny: 2048 }))).toEqual({
      nx: 'OUT_OF_RANGE',
    });
    expect(
      violations(() => createSimulation('lbm-cylinder', { lateral: 'open', collision: 'mrt', substeps: 0 })),
    ).toEqual({ lateral: 'NOT_ALLOWED', collision: 'NOT_ALLOWED', substeps: 'OUT_OF_RANGE' });
  });
});
