/**
 * Options of the lattice-Boltzmann cylinder flow, their defaults, and the checks that keep the
 * run physical and stable (relaxation time above 1/2, small Mach number, a resolvable cylinder).
 * Everything is in lattice units: cells for lengths, time steps for time.
 */
import { OptionReader } from './option-reader.js';

export type LateralBoundary = 'slip' | 'no-slip' | 'periodic';
export type CollisionModel = 'bgk' | 'trt';

export interface LbmCylinderOptions {
  /** Channel length and height in cells (nx 32–4096, ny 16–2048, at most 2 Mi cells). Default 400 × 100. */
  readonly nx?: number;
  readonly ny?: number;
  /** Reynolds number U·D/ν. Default 150 (periodic vortex shedding). */
  readonly reynolds?: number;
  /** Inlet velocity U in cells per step; Mach = U·√3 must stay <= 0.3. Default 0.1. */
  readonly velocity?: number;
  /** Cylinder diameter D in cells (>= 4). Default ny / 8. */
  readonly diameter?: number;
  /** Cylinder centre. Defaults x = 4·D (at least), y = ny / 2. */
  readonly cylinderX?: number;
  readonly cylinderY?: number;
  /** Top and bottom: free-slip walls (default, mimics open flow), no-slip walls, or periodic. */
  readonly lateral?: LateralBoundary;
  /**
   * Single-relaxation-time BGK (default: measured stabler here at low viscosity) or
   * two-relaxation-time TRT with Λ = 1/4 (viscosity-independent wall position, lower Re/D limit).
   */
  readonly collision?: CollisionModel;
  /** Solver steps per frame. Default 20. */
  readonly substeps?: number;
  /** Seed of the small random velocity noise of the initial state. Default 1. */
  readonly seed?: number;
  /** Transverse kick behind the cylinder at t = 0, as a fraction of U, so shedding starts early. Default 0.3. */
  readonly perturbation?: number;
  /** Whether the inlet drives the flow at `velocity` (default true); false: the inlet is at rest (ν unchanged). */
  readonly inflow?: boolean;
  /** A one-off transverse velocity kick: amplitude × U, Gaussian of `radius` cells at (x, y). */
  readonly perturb?: LbmPerturbation;
}

export interface LbmPerturbation {
  readonly x: number;
  readonly y: number;
  readonly radius: number;
  readonly amplitude: number;
}

export interface LbmCylinderConfig {
  readonly nx: number;
  readonly ny: number;
  readonly reynolds: number;
  readonly velocity: number;
  readonly diameter: number;
  readonly cylinderX: number;
  readonly cylinderY: number;
  readonly lateral: LateralBoundary;
  readonly collision: CollisionModel;
  readonly substeps: number;
  readonly seed: number;
  readonly perturbation: number;
  readonly inflow: boolean;
  readonly perturb: LbmPerturbation | undefined;
  /** Kinematic viscosity ν = U·D/Re and relaxation time τ = 3ν + 1/2. */
  readonly viscosity: number;
  readonly tau: number;
  /** Columns of the absorbing layers at inlet and outlet, and the relaxation time at their edge. */
  readonly spongeIn: number;
  readonly spongeOut: number;
  readonly spongeTau: number;
}

const MAX_CELLS = 2 * 1024 * 1024;
/** Inlet sponge width in cells (the outlet's is nx / 16, at least 8) and τ at the open boundary. */
const SPONGE_IN = 8;
const SPONGE_TAU = 1;
const MAX_MACH = 0.3;
/** τ this close to 1/2 means almost no viscosity: the scheme loses stability and accuracy. */
const MIN_TAU = 0.502;
/**
 * Largest grid Reynolds number U/ν = Re/D accepted. Beyond it the wake is under-resolved and the
 * solver blows up at the cylinder. Measured with U = 0.1 on 240×64 … 300×100 channels over
 * 4000 steps: BGK ran at 60 and blew up at 80; TRT (Λ = 1/4) ran at 20 and blew up at 25.
 */
const MAX_CELL_REYNOLDS = { trt: 20, bgk: 50 } as const;

/** Validates options and fills defaults; throws a ValidationError naming every bad option. */
export function readLbmCylinderOptions(options: unknown): LbmCylinderConfig {
  const r = new OptionReader(options);
  const nx = r.number('nx', 400, { min: 32, max: 4096, integer: true });
  const ny = r.number('ny', 100, { min: 16, max: 2048, integer: true });
  const reynolds = r.number('reynolds', 150, { min: 0, max: 10_000, exclusiveMin: true });
  const maxVelocity = MAX_MACH / Math.sqrt(3);
  const velocity = r.number('velocity', 0.1, {
    min: 0,
    max: Number(maxVelocity.toFixed(4)),
    exclusiveMin: true,
    why: `Mach number U·√3 <= ${MAX_MACH} keeps compressibility errors small`,
  });
  const diameter = r.number('diameter', Math.max(4, Math.round(ny / 8)), { min: 4, max: 1024 });
  const cylinderX = r.number('cylinderX', Math.max(4 * diameter, Math.round(nx / 5)), { min: 0 });
  const cylinderY = r.number('cylinderY', ny / 2, { min: 0 });
  const lateral = r.choice<LateralBoundary>('lateral', 'slip', ['slip', 'no-slip', 'periodic']);
  const collision = r.choice<CollisionModel>('collision', 'bgk', ['bgk', 'trt']);
  const substeps = r.number('substeps', 20, { min: 1, max: 100_000, integer: true });
  const seed = r.number('seed', 1, { min: 0, max: 0xffffffff, integer: true });
  const perturbation = r.number('perturbation', 0.3, { min: 0, max: 1 });
  const inflow = r.flag('inflow', true);
  const perturb = r.nested('perturb', (p) => ({
    x: p.number('x', nx / 2, { min: 0, max: nx - 1 }),
    y: p.number('y', ny / 2, { min: 0, max: ny - 1 }),
    radius: p.number('radius', 3, { min: 0.5, max: Math.max(nx, ny) }),
    amplitude: p.number('amplitude', 0.5, { min: -2, max: 2 }),
  }));
  const viscosity = (velocity * diameter) / reynolds;
  const spongeIn = SPONGE_IN;
  const spongeOut = Math.max(8, Math.round(nx / 16));
  const tau = 3 * viscosity + 0.5;
  if (r.ok) {
    if (nx * ny > MAX_CELLS) r.fail('nx', 'OUT_OF_RANGE', `nx × ny must be at most ${MAX_CELLS} cells`);
    const radius = diameter / 2;
    if (diameter > ny / 2) r.fail('diameter', 'OUT_OF_RANGE', `must be at most ny / 2 = ${ny / 2}`);
    const low = spongeIn + diameter + radius;
    const high = nx - spongeOut - 2 * diameter - radius;
    if (cylinderX < low || cylinderX > high) {
      r.fail(
        'cylinderX',
        'OUT_OF_RANGE',
        low > high
          ? `no room for a cylinder of diameter ${diameter}: nx must be larger`
          : `must be in [${low}, ${high}]: D clear of the ${spongeIn}-cell inlet layer, 2·D clear of the ${spongeOut}-cell outlet layer`,
      );
    }
    if (cylinderY - radius < 2 || cylinderY + radius > ny - 2) {
      r.fail('cylinderY', 'OUT_OF_RANGE', `must keep the cylinder 2 cells away from the top and bottom`);
    }
  }
  if (r.ok && tau < MIN_TAU) {
    r.fail(
      'reynolds',
      'UNSTABLE',
      `gives relaxation time τ = ${tau.toFixed(4)} < ${MIN_TAU}; lower it, or raise velocity or diameter`,
    );
  }
  const cellReynolds = reynolds / diameter;
  if (r.ok && cellReynolds > MAX_CELL_REYNOLDS[collision]) {
    r.fail(
      'diameter',
      'UNDER_RESOLVED',
      `must be at least reynolds / ${MAX_CELL_REYNOLDS[collision]} = ` +
        `${Math.ceil(reynolds / MAX_CELL_REYNOLDS[collision])} cells for ${collision.toUpperCase()} at Re ${reynolds}`,
    );
  }
  r.finish();
  return {
    nx,
    ny,
    reynolds,
    velocity,
    diameter,
    cylinderX,
    cylinderY,
    lateral,
    collision,
    substeps,
    seed,
    perturbation,
    inflow,
    perturb,
    viscosity,
    tau,
    spongeIn,
    spongeOut,
    spongeTau: SPONGE_TAU,
  };
}
