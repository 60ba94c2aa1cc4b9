/**
 * Gray–Scott reaction–diffusion (u + 2v → 3v, v → P) on a periodic nx×ny grid, integrated with
 * explicit Euler and the isotropic 9-point Laplacian (dx = 1). Two buffers per species are
 * swapped every step, so a step allocates nothing.
 */
import { OptionReader, readUpdate } from './option-reader.js';
import { mulberry32 } from './prng.js';
import type { FieldData, Simulation } from './types.js';

export interface GrayScottPreset {
  readonly F: number;
  readonly k: number;
}

/** Feed and kill rates of well-known regimes (Pearson 1993; Karl Sims' names) for Du/Dv = 2. */
export const GRAY_SCOTT_PRESETS = {
  mitosis: { F: 0.0367, k: 0.0649 },
  coral: { F: 0.0545, k: 0.062 },
  spots: { F: 0.03, k: 0.062 },
  maze: { F: 0.029, k: 0.057 },
  holes: { F: 0.039, k: 0.058 },
  chaos: { F: 0.026, k: 0.051 },
} as const satisfies Record<string, GrayScottPreset>;

export type GrayScottPresetName = keyof typeof GRAY_SCOTT_PRESETS;
const PRESET_NAMES = Object.keys(GRAY_SCOTT_PRESETS) as GrayScottPresetName[];

export interface GrayScottOptions {
  /** Grid width and height in cells (8–2048 each, at most 4 Mi cells). Default 256 × 256. */
  readonly nx?: number;
  readonly ny?: number;
  /** Named (F, k) pair; F and k given explicitly override it. Default 'coral'. */
  readonly preset?: GrayScottPresetName;
  readonly F?: number;
  readonly k?: number;
  /** Diffusion coefficients in cells²/time. Defaults 0.16 and 0.08. */
  readonly Du?: number;
  readonly Dv?: number;
  /** Time step. Default 1. */
  readonly dt?: number;
  /** Solver steps per frame. Default 20. */
  readonly substeps?: number;
  /** Seed of the initial perturbation. Default 1. */
  readonly seed?: number;
  /** Number of initial square perturbations and their side in cells. Defaults 12 and nx/16. */
  readonly squares?: number;
  readonly squareSize?: number;
  /**
   * Refuse a `dt` above the explicit scheme's stability limit. Default true; false lets a run be
   * pushed past it on purpose (the values then leave [0, 1] and blow up to ±Infinity and NaN),
   * e.g. to test what watches the run.
   */
  readonly stabilityCheck?: boolean;
  /** A fresh nucleus (u = 1/2, v = 1/4) in a disk of `radius` cells at (x, y): a local perturbation. */
  readonly perturb?: GrayScottPerturbation;
}

export interface GrayScottPerturbation {
  readonly x: number;
  readonly y: number;
  readonly radius: number;
}

/** What `update` may not change: the grid, the initial state and the frame length. */
const FIXED = ['nx', 'ny', 'seed', 'squares', 'squareSize', 'substeps'] as const;

const MAX_SIDE = 2048;
const MAX_CELLS = 4 * 1024 * 1024;
/** Largest |eigenvalue| of the isotropic 9-point Laplacian (at the checkerboard mode). */
const LAPLACIAN_CENTRE = 20 / 6;

export interface GrayScottConfig {
  readonly nx: number;
  readonly ny: number;
  readonly preset: GrayScottPresetName;
  readonly F: number;
  readonly k: number;
  readonly Du: number;
  readonly Dv: number;
  readonly dt: number;
  readonly substeps: number;
  readonly seed: number;
  readonly squares: number;
  readonly squareSize: number;
  readonly stabilityCheck: boolean;
  readonly perturb: GrayScottPerturbation | undefined;
}

/** Validates options and fills defaults; throws a ValidationError naming every bad option. */
export function readGrayScottOptions(options: unknown): GrayScottConfig {
  const r = new OptionReader(options);
  const nx = r.number('nx', 256, { min: 8, max: MAX_SIDE, integer: true });
  const ny = r.number('ny', 256, { min: 8, max: MAX_SIDE, integer: true });
  const preset = r.choice('preset', 'coral', PRESET_NAMES);
  const F = r.number('F', GRAY_SCOTT_PRESETS[preset].F, { min: 0, max: 0.2 });
  const k = r.number('k', GRAY_SCOTT_PRESETS[preset].k, { min: 0, max: 0.2 });
  const Du = r.number('Du', 0.16, { min: 0, max: 1, exclusiveMin: true });
  const Dv = r.number('Dv', 0.08, { min: 0, max: 1, exclusiveMin: true });
  const dt = r.number('dt', 1, { min: 0, max: 10, exclusiveMin: true });
  const substeps = r.number('substeps', 20, { min: 1, max: 100_000, integer: true });
  const seed = r.number('seed', 1, { min: 0, max: 0xffffffff, integer: true });
  const squares = r.number('squares', 12, { min: 0, max: 10_000, integer: true });
  const side = Math.max(2, Math.round(Math.min(nx, ny) / 16));
  const squareSize = r.number('squareSize', side, { min: 1, max: MAX_SIDE, integer: true });
  const stabilityCheck = r.flag('stabilityCheck', true);
  const perturb = r.nested('perturb', (p) => ({
    x: p.number('x', nx / 2, { min: 0, max: nx - 1 }),
    y: p.number('y', ny / 2, { min: 0, max: ny - 1 }),
    radius: p.number('radius', 3, { min: 0.5, max: Math.max(nx, ny) }),
  }));
  if (r.ok && nx * ny > MAX_CELLS) r.fail('nx', 'OUT_OF_RANGE', `nx × ny must be at most ${MAX_CELLS} cells`);
  if (r.ok && squareSize > Math.min(nx, ny)) {
    r.fail('squareSize', 'OUT_OF_RANGE', `must not exceed the grid (${Math.min(nx, ny)})`);
  }
  // Explicit Euler keeps u, v in [0, 1] when every cell's own weight stays positive:
  // 1 - dt·(20/6·D + v² + F + k) >= 0, with v² <= 1/4 (v stays below 1/2 in this model).
  const maxDt = 1 / (LAPLACIAN_CENTRE * Math.max(Du, Dv) + 0.25 + F + k);
  if (r.ok && stabilityCheck && dt > maxDt) {
    r.fail('dt', 'UNSTABLE', `must be <= ${maxDt.toPrecision(3)} for Du=${Du}, Dv=${Dv}, F=${F}, k=${k}`);
  }
  r.finish();
  return { nx, ny, preset, F, k, Du, Dv, dt, substeps, seed, squares, squareSize, stabilityCheck, perturb };
}

export class GrayScott implements Simulation {
  readonly kind = 'gray-scott';
  readonly substeps: number;
  private config: GrayScottConfig;
  /** The options the run was built from, with every update laid over them (never `perturb`). */
  private options: Record<string, unknown>;
  /** An update not applied yet (at the next advance), its options and its one-off perturbation. */
  private pending: GrayScottConfig | undefined;
  private pendingOptions: Record<string, unknown> = {};
  private pendingPerturb: GrayScottPerturbation | undefined;
  private elapsed = 0;
  private u: Float32Array;
  private v: Float32Array;
  private uNext: Float32Array;
  private vNext: Float32Array;
  private steps = 0;

  constructor(options: GrayScottOptions | Readonly<Record<string, unknown>> = {}) {
    this.config = readGrayScottOptions(options);
    this.options = withoutPerturb(options);
    this.substeps = this.config.substeps;
    const cells = this.config.nx * this.config.ny;
    this.u = new Float32Array(cells);
    this.v = new Float32Array(cells);
    this.uNext = new Float32Array(cells);
    this.vNext = new Float32Array(cells);
    this.seed();
    if (this.config.perturb !== undefined) this.nucleate(this.config.perturb);
  }

  get step(): number {
    return this.steps;
  }

  get time(): number {
    return this.elapsed;
  }

  /**
   * Changes F, k (or `preset`, which then sets both unless they are given too), Du, Dv, dt,
   * `stabilityCheck`, or applies a one-off `perturb`, from the next `advance` on. Validated like
   * the constructor's options against the updated whole (a ValidationError names every wrong,
   * unknown or fixed parameter, and nothing changes).
   */
  update(parameters: Readonly<Record<string, unknown>>): void {
    const base = { ...(this.pending === undefined ? this.options : this.pendingOptions) };
    if (parameters['preset'] !== undefined) {
      if (parameters['F'] === undefined) delete base['F'];
      if (parameters['k'] === undefined) delete base['k'];
    }
    const config = readUpdate(base, parameters, FIXED, readGrayScottOptions);
    this.pendingOptions = withoutPerturb({ ...base, ...parameters });
    this.pendingPerturb = config.perturb ?? this.pendingPerturb;
    this.pending = config;
  }

  advance(frames = 1): void {
    if (this.pending !== undefined) {
      this.config = { ...this.pending, perturb: undefined };
      this.options = this.pendingOptions;
      this.pending = undefined;
      if (this.pendingPerturb !== undefined) this.nucleate(this.pendingPerturb);
      this.pendingPerturb = undefined;
    }
    const n = frames * this.substeps;
    for (let s = 0; s < n; s++) this.solverStep();
  }

  fields(): FieldData[] {
    const shape = [this.config.ny, this.config.nx] as const;
    return [
      { name: 'u', dtype: 'float32', shape, data: this.u },
      { name: 'v', dtype: 'float32', shape, data: this.v },
    ];
  }

  attributes(): Record<string, string> {
    const c = this.pending ?? this.config;
    return {
      kind: this.kind,
      model: 'gray-scott reaction-diffusion, explicit Euler, isotropic 9-point Laplacian, periodic',
      preset: c.preset,
      F: String(c.F),
      k: String(c.k),
      Du: String(c.Du),
      Dv: String(c.Dv),
      dt: String(c.dt),
      nx: String(c.nx),
      ny: String(c.ny),
      substeps: String(c.substeps),
      seed: String(c.seed),
      stability_check: String(c.stabilityCheck),
      time_unit: 'model time (dx = 1)',
    };
  }

  /** Sets u = 1/2, v = 1/4 in a disk (periodic), as the initial squares do. */
  private nucleate(p: GrayScottPerturbation): void {
    const { nx, ny } = this.config;
    const r = Math.ceil(p.radius);
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        if (dx * dx + dy * dy > p.radius * p.radius) continue;
        const x = (((Math.round(p.x) + dx) % nx) + nx) % nx;
        const y = (((Math.round(p.y) + dy) % ny) + ny) % ny;
        this.u[y * nx + x] = 0.5;
        this.v[y * nx + x] = 0.25;
      }
    }
  }

  /** u = 1, v = 0 everywhere except random squares at u = 1/2, v = 1/4 with 1% noise. */
  private seed(): void {
    const { nx, ny, squares, squareSize, seed } = this.config;
    const random = mulberry32(seed);
    this.u.fill(1);
    this.v.fill(0);
    for (let s = 0; s < squares; s++) {
      const x0 = Math.floor(random() * nx);
      const y0 = Math.floor(random() * ny);
      for (let dy = 0; dy < squareSize; dy++) {
        const row = ((y0 + dy) % ny) * nx;
        for (let dx = 0; dx < squareSize; dx++) {
          const i = row + ((x0 + dx) % nx);
          this.u[i] = 0.5 + 0.01 * (random() - 0.5);
          this.v[i] = 0.25 + 0.01 * (random() - 0.5);
        }
      }
    }
  }

  private solverStep(): void {
    const { nx, ny, F, k, Du, Dv, dt } = this.config;
    const u = this.u;
    const v = this.v;
    const uo = this.uNext;
    const vo = this.vNext;
    const au = (dt * Du) / 6;
    const av = (dt * Dv) / 6;
    const feed = dt * F;
    const loss = dt * (F + k);
    // The 9-point sum is 4·(N+S+W+E) + (NW+NE+SW+SE) = 4·(ns[x] + c[x-1] + c[x+1]) + ns[x-1] +
    // ns[x+1] with ns = N+S: sliding those three columns along the row reads each neighbour
    // once (3 loads per species per cell instead of 9). Indices are in range by construction
    // (rows and columns wrap), hence the non-null assertions.
    for (let y = 0; y < ny; y++) {
      const c = y * nx;
      const n = (y === 0 ? ny - 1 : y - 1) * nx;
      const s = (y === ny - 1 ? 0 : y + 1) * nx;
      let uNsW = u[n + nx - 1]! + u[s + nx - 1]!;
      let uW = u[c + nx - 1]!;
      let uNs = u[n]! + u[s]!;
      let uc = u[c]!;
      let vNsW = v[n + nx - 1]! + v[s + nx - 1]!;
      let vW = v[c + nx - 1]!;
      let vNs = v[n]! + v[s]!;
      let vc = v[c]!;
      for (let x = 0; x < nx; x++) {
        const e = x === nx - 1 ? 0 : x + 1;
        const uNsE = u[n + e]! + u[s + e]!;
        const uE = u[c + e]!;
        const vNsE = v[n + e]! + v[s + e]!;
        const vE = v[c + e]!;
        const lu = 4 * (uNs + uW + uE) + uNsW + uNsE - 20 * uc;
        const lv = 4 * (vNs + vW + vE) + vNsW + vNsE - 20 * vc;
        const uvv = dt * uc * vc * vc;
        uo[c + x] = uc + au * lu - uvv + feed * (1 - uc);
        vo[c + x] = vc + av * lv + uvv - loss * vc;
        uNsW = uNs;
        uNs = uNsE;
        uW = uc;
        uc = uE;
        vNsW = vNs;
        vNs = vNsE;
        vW = vc;
        vc = vE;
      }
    }
    this.u = uo;
    this.v = vo;
    this.uNext = u;
    this.vNext = v;
    this.steps++;
    this.elapsed += dt;
  }
}

function withoutPerturb(options: object): Record<string, unknown> {
  const { perturb: _perturb, ...rest } = options as Record<string, unknown>;
  return rest;
}
