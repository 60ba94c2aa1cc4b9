/**
 * Two-dimensional flow past a circular cylinder with the D2Q9 lattice-Boltzmann method:
 * BGK (or TRT) collision, Zou–He velocity inlet on the left, zero-gradient outflow on the right,
 * both behind viscous sponge layers, half-way bounce-back on the cylinder, slip / no-slip /
 * periodic top and bottom. Lattice units throughout (cells, steps); `time` is convective (D/U).
 *
 * One fused pass per step: each fluid cell pulls its populations from its neighbours (streaming),
 * then relaxes them (collision) into the second buffer; buffers swap. Interior cells take a
 * branch-free path with fixed offsets; the few cells touching a boundary pull through a table
 * built once, so the step allocates nothing and tests nothing per population.
 */
import { ValidationError } from '@simstream/errors';
import {
  type LbmCylinderConfig,
  type LbmCylinderOptions,
  type LbmPerturbation,
  readLbmCylinderOptions,
} from './lbm-options.js';
import { collide, relaxationRates, setEquilibrium, W0, W1, W2 } from './lbm-collision.js';
import { buildBoundaryTable, INLET, macroscopicFields } from './lbm-lattice.js';
import { readUpdate } from './option-reader.js';
import { mulberry32 } from './prng.js';
import type { FieldData, Simulation } from './types.js';

export interface ProbeSample {
  readonly rho: number;
  readonly ux: number;
  readonly uy: number;
}

/** What `update` may not change: the grid, boundaries, collision model, initial state, frame length. */
const FIXED = ['nx', 'ny', 'lateral', 'collision', 'substeps', 'seed', 'perturbation'] as const;

export class LbmCylinder implements Simulation {
  readonly kind = 'lbm-cylinder';
  readonly substeps: number;
  private config: LbmCylinderConfig;
  /** The options the run was built from, with every update laid over them (never `perturb`). */
  private options: Record<string, unknown>;
  /** An update not applied yet (at the next advance) and its options. */
  private pending: { config: LbmCylinderConfig; options: Record<string, unknown> } | undefined;
  private readonly cells: number;
  /** 0 interior fluid, 1 fluid next to a boundary, 2 solid. */
  private readonly cellType: Uint8Array;
  private boundaryCells: Int32Array = new Int32Array(0);
  private boundarySources: Int32Array = new Int32Array(0);
  private omegaPlus = 1;
  private omegaMinus = 1;
  /** ω+ and ω− of each boundary cell (larger τ in the sponge layers). */
  private boundaryOmegas = new Float64Array(0);
  /** Inlet velocity: U, or 0 with the inflow off. */
  private inletVelocity = 0;
  private f: Float32Array;
  private fNext: Float32Array;
  private readonly out: { ux: Float32Array; uy: Float32Array; rho: Float32Array; vorticity: Float32Array };
  private fieldsStep = -1;
  private steps = 0;
  private elapsed = 0;

  constructor(options: LbmCylinderOptions | Readonly<Record<string, unknown>> = {}) {
    const c = readLbmCylinderOptions(options);
    this.config = c;
    this.options = withoutPerturb(options);
    this.substeps = c.substeps;
    this.cells = c.nx * c.ny;
    this.cellType = new Uint8Array(this.cells);
    this.f = new Float32Array(9 * this.cells);
    this.fNext = new Float32Array(9 * this.cells);
    this.out = {
      ux: new Float32Array(this.cells),
      uy: new Float32Array(this.cells),
      rho: new Float32Array(this.cells),
      vorticity: new Float32Array(this.cells),
    };
    this.build(c);
    this.initialise();
    if (c.perturb !== undefined) this.kick(c.perturb);
  }

  /**
   * Changes `reynolds`, `velocity`, `inflow` (false: the inlet at rest, viscosity kept), the
   * cylinder (`diameter`, `cylinderX`, `cylinderY`), or applies a one-off `perturb`, from the
   * next `advance` on. Validated like the constructor's options against the updated whole (a
   * ValidationError names every wrong, unknown or fixed parameter, and nothing changes). Cells
   * the cylinder leaves start as fluid at rest; cells it covers become solid.
   */
  update(parameters: Readonly<Record<string, unknown>>): void {
    const base = this.pending?.options ?? this.options;
    const config = readUpdate(base, parameters, FIXED, readLbmCylinderOptions);
    this.pending = { config, options: withoutPerturb({ ...base, ...parameters }) };
  }

  /** Geometry, boundary table and relaxation rates of a configuration (at start and after updates). */
  private build(c: LbmCylinderConfig): void {
    const r2 = (c.diameter / 2) ** 2;
    for (let y = 0; y < c.ny; y++) {
      for (let x = 0; x < c.nx; x++) {
        // Cell centres at integer coordinates; the wall sits half-way between solid and fluid.
        const i = y * c.nx + x;
        const solid = (x - c.cylinderX) ** 2 + (y - c.cylinderY) ** 2 <= r2;
        const wasSolid = this.cellType[i] === 2;
        this.cellType[i] = solid ? 2 : 0;
        // Cells that change sides start at rest (uncovered fluid) or hold the solid's state.
        if (solid !== wasSolid) {
          setEquilibrium(this.f, this.cells, i, 1, 0, 0);
          setEquilibrium(this.fNext, this.cells, i, 1, 0, 0);
        }
      }
    }
    const sponge = spongeLayers(c);
    const table = buildBoundaryTable(c.nx, c.ny, c.lateral, this.cellType, (x) => sponge(x) > c.tau);
    this.boundaryCells = table.cells;
    this.boundarySources = table.sources;
    [this.omegaPlus, this.omegaMinus] = relaxationRates(c.tau, c.collision);
    this.boundaryOmegas = new Float64Array(2 * table.cells.length);
    table.cells.forEach((i, b) => {
      const [wp, wm] = relaxationRates(sponge(i % c.nx), c.collision);
      this.boundaryOmegas[2 * b] = wp;
      this.boundaryOmegas[2 * b + 1] = wm;
    });
    this.inletVelocity = c.inflow ? c.velocity : 0;
    this.fieldsStep = -1;
  }

  /** A transverse velocity kick: the cells near (x, y) are reset to equilibrium with uy raised. */
  private kick(p: LbmPerturbation): void {
    const { nx, ny, velocity: U } = this.config;
    const reach = Math.ceil(3 * p.radius);
    for (let y = Math.max(0, Math.round(p.y) - reach); y <= Math.min(ny - 1, Math.round(p.y) + reach); y++) {
      for (
        let x = Math.max(0, Math.round(p.x) - reach);
        x <= Math.min(nx - 1, Math.round(p.x) + reach);
        x++
      ) {
        const i = y * nx + x;
        if (this.cellType[i] === 2) continue;
        const { rho, ux, uy } = this.probe(x, y);
        const bump = p.amplitude * U * Math.exp(-((x - p.x) ** 2 + (y - p.y) ** 2) / (p.radius * p.radius));
        setEquilibrium(this.f, this.cells, i, rho, ux, uy + bump);
      }
    }
    this.fieldsStep = -1;
  }

  get step(): number {
    return this.steps;
  }

  /** Convective time t·U/D: one unit is the time the flow takes to pass one diameter. */
  get time(): number {
    return this.elapsed;
  }

  advance(frames = 1): void {
    if (this.pending !== undefined) {
      const { config, options } = this.pending;
      this.pending = undefined;
      this.config = { ...config, perturb: undefined };
      this.options = options;
      this.build(config);
      if (config.perturb !== undefined) this.kick(config.perturb);
    }
    const n = frames * this.substeps;
    for (let s = 0; s < n; s++) this.solverStep();
    this.elapsed += (n * this.config.velocity) / this.config.diameter;
  }

  fields(): FieldData[] {
    const { nx, ny } = this.config;
    if (this.fieldsStep !== this.steps) {
      macroscopicFields(this.f, nx, ny, this.config.lateral === 'periodic', this.cellType, this.out);
      this.fieldsStep = this.steps;
    }
    const shape = [ny, nx] as const;
    return [
      { name: 'ux', dtype: 'float32', shape, data: this.out.ux },
      { name: 'uy', dtype: 'float32', shape, data: this.out.uy },
      { name: 'rho', dtype: 'float32', shape, data: this.out.rho },
      { name: 'vorticity', dtype: 'float32', shape, data: this.out.vorticity },
    ];
  }

  /** Density and velocity of one cell, without computing whole fields (for probes and tests). */
  probe(x: number, y: number): ProbeSample {
    const { nx, ny } = this.config;
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= nx || y >= ny) {
      throw new ValidationError([
        {
          field: 'probe',
          reason: 'OUT_OF_RANGE',
          description: `(${x}, ${y}) is not a cell of the ${nx} × ${ny} grid`,
        },
      ]);
    }
    const i = y * nx + x;
    if (this.cellType[i] === 2) return { rho: 1, ux: 0, uy: 0 };
    const f = this.f;
    const N = this.cells;
    let rho = 0;
    for (let q = 0; q < 9; q++) rho += f[q * N + i]!;
    const jx = f[N + i]! - f[3 * N + i]! + f[5 * N + i]! - f[6 * N + i]! - f[7 * N + i]! + f[8 * N + i]!;
    const jy = f[2 * N + i]! - f[4 * N + i]! + f[5 * N + i]! + f[6 * N + i]! - f[7 * N + i]! - f[8 * N + i]!;
    return { rho, ux: jx / rho, uy: jy / rho };
  }

  attributes(): Record<string, string> {
    const c = this.pending?.config ?? this.config;
    return {
      kind: this.kind,
      model:
        `D2Q9 lattice Boltzmann, ${c.collision.toUpperCase()} collision, Zou-He velocity inlet, ` +
        `zero-gradient outlet, sponge layers ${c.spongeIn}/${c.spongeOut} cells to tau ${c.spongeTau}, ` +
        `half-way bounce-back cylinder, ${c.lateral} top/bottom`,
      reynolds: String(c.reynolds),
      velocity: String(c.velocity),
      inflow: String(c.inflow),
      mach: (c.velocity * Math.sqrt(3)).toFixed(4),
      diameter: String(c.diameter),
      cylinder_x: String(c.cylinderX),
      cylinder_y: String(c.cylinderY),
      viscosity: c.viscosity.toPrecision(6),
      tau: c.tau.toPrecision(6),
      nx: String(c.nx),
      ny: String(c.ny),
      substeps: String(c.substeps),
      seed: String(c.seed),
      length_unit: 'lattice cell',
      time_unit: 'D/U (convective)',
    };
  }

  /**
   * Potential flow around the cylinder, u − i·v = U·(1 − R²/z²), with the Bernoulli density
   * (p = ρ/3), so the run starts without the pressure shock of an impulsive start; plus seeded
   * noise and a one-sided transverse kick behind the cylinder so shedding starts early.
   */
  private initialise(): void {
    const { nx, ny, velocity: U, diameter: D, cylinderX, cylinderY, seed, perturbation } = this.config;
    const random = mulberry32(seed);
    const R2 = (D / 2) ** 2;
    const kickX = cylinderX + D;
    const kickY = cylinderY + D / 2;
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const i = y * nx + x;
        if (this.cellType[i] === 2) {
          setEquilibrium(this.f, this.cells, i, 1, 0, 0);
          continue;
        }
        const dx = x - cylinderX;
        const dy = y - cylinderY;
        const r4 = (dx * dx + dy * dy) ** 2;
        // 1/z² = (dx² − dy² − 2i·dx·dy) / |z|⁴
        let ux = U * (1 - (R2 * (dx * dx - dy * dy)) / r4);
        let uy = -U * ((R2 * 2 * dx * dy) / r4);
        const rho = 1 + 1.5 * (U * U - ux * ux - uy * uy);
        ux += U * 1e-3 * (random() - 0.5);
        uy += U * 1e-3 * (random() - 0.5);
        uy += perturbation * U * Math.exp(-((x - kickX) ** 2 + (y - kickY) ** 2) / (D * D));
        setEquilibrium(this.f, this.cells, i, rho, ux, uy);
      }
    }
    this.fNext.set(this.f);
  }

  private solverStep(): void {
    const { nx, ny } = this.config;
    const N = this.cells;
    const f = this.f;
    const out = this.fNext;
    const type = this.cellType;
    // Pull streaming: population q at cell i comes from cell i − c_q. Non-null assertions:
    // interior cells have all 8 neighbours inside the grid by construction.
    const wp = this.omegaPlus;
    const wm = this.omegaMinus;
    // Where population q of cell i is pulled from: i + pullOffset[q].
    const o1 = N - 1;
    const o2 = 2 * N - nx;
    const o3 = 3 * N + 1;
    const o4 = 4 * N + nx;
    const o5 = 5 * N - nx - 1;
    const o6 = 6 * N - nx + 1;
    const o7 = 7 * N + nx + 1;
    const o8 = 8 * N + nx - 1;
    const n2 = 2 * N;
    const n3 = 3 * N;
    const n4 = 4 * N;
    const n5 = 5 * N;
    const n6 = 6 * N;
    const n7 = 7 * N;
    const n8 = 8 * N;
    for (let y = 1; y < ny - 1; y++) {
      const row = y * nx;
      for (let i = row + 1; i < row + nx - 1; i++) {
        if (type[i] !== 0) continue;
        const f0 = f[i]!;
        const f1 = f[i + o1]!;
        const f2 = f[i + o2]!;
        const f3 = f[i + o3]!;
        const f4 = f[i + o4]!;
        const f5 = f[i + o5]!;
        const f6 = f[i + o6]!;
        const f7 = f[i + o7]!;
        const f8 = f[i + o8]!;
        const rho = f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8;
        const ux = (f1 - f3 + f5 - f6 - f7 + f8) / rho;
        const uy = (f2 - f4 + f5 + f6 - f7 - f8) / rho;
        const usq = 1.5 * (ux * ux + uy * uy);
        const r1 = W1 * rho;
        const r2 = W2 * rho;
        out[i] = f0 - wp * (f0 - W0 * rho * (1 - usq));
        let sym = r1 * (1 + 4.5 * ux * ux - usq);
        let anti = r1 * 3 * ux;
        let p = wp * (0.5 * (f1 + f3) - sym);
        let m = wm * (0.5 * (f1 - f3) - anti);
        out[N + i] = f1 - p - m;
        out[n3 + i] = f3 - p + m;
        sym = r1 * (1 + 4.5 * uy * uy - usq);
        anti = r1 * 3 * uy;
        p = wp * (0.5 * (f2 + f4) - sym);
        m = wm * (0.5 * (f2 - f4) - anti);
        out[n2 + i] = f2 - p - m;
        out[n4 + i] = f4 - p + m;
        let cu = ux + uy;
        sym = r2 * (1 + 4.5 * cu * cu - usq);
        anti = r2 * 3 * cu;
        p = wp * (0.5 * (f5 + f7) - sym);
        m = wm * (0.5 * (f5 - f7) - anti);
        out[n5 + i] = f5 - p - m;
        out[n7 + i] = f7 - p + m;
        cu = uy - ux;
        sym = r2 * (1 + 4.5 * cu * cu - usq);
        anti = r2 * 3 * cu;
        p = wp * (0.5 * (f6 + f8) - sym);
        m = wm * (0.5 * (f6 - f8) - anti);
        out[n6 + i] = f6 - p - m;
        out[n8 + i] = f8 - p + m;
      }
    }
    this.boundaryStep();
    this.f = out;
    this.fNext = f;
    this.steps++;
  }

  private boundaryStep(): void {
    const N = this.cells;
    const f = this.f;
    const src = this.boundarySources;
    const U = this.inletVelocity;
    const cells = this.boundaryCells;
    const omegas = this.boundaryOmegas;
    for (let b = 0; b < cells.length; b++) {
      const i = cells[b]!;
      const s = 9 * b;
      const f0 = f[i]!;
      const f2 = pull(f, src[s + 2]!);
      const f3 = pull(f, src[s + 3]!);
      const f4 = pull(f, src[s + 4]!);
      const f6 = pull(f, src[s + 6]!);
      const f7 = pull(f, src[s + 7]!);
      if (src[s + 1] === INLET) {
        // Zou–He: density from the known populations, then the unknown ones so that u = (U, 0).
        const rho = (f0 + f2 + f4 + 2 * (f3 + f6 + f7)) / (1 - U);
        const f1 = f3 + (2 / 3) * rho * U;
        const f5 = f7 - 0.5 * (f2 - f4) + (1 / 6) * rho * U;
        const f8 = f6 + 0.5 * (f2 - f4) + (1 / 6) * rho * U;
        collide(this.fNext, N, i, omegas[2 * b]!, omegas[2 * b + 1]!, f0, f1, f2, f3, f4, f5, f6, f7, f8);
        continue;
      }
      const f1 = pull(f, src[s + 1]!);
      const f5 = pull(f, src[s + 5]!);
      const f8 = pull(f, src[s + 8]!);
      collide(this.fNext, N, i, omegas[2 * b]!, omegas[2 * b + 1]!, f0, f1, f2, f3, f4, f5, f6, f7, f8);
    }
  }
}

/**
 * Relaxation time by column: τ in the domain, rising quadratically to `spongeTau` across the
 * sponge layers at the inlet and outlet, where the extra viscosity absorbs pressure waves and
 * outgoing vortices that the open boundaries would otherwise reflect (at low viscosity, waves
 * reflected at the inlet grow into a blow-up next to it).
 */
function spongeLayers(c: LbmCylinderConfig): (x: number) => number {
  const top = Math.max(c.tau, c.spongeTau);
  const outStart = c.nx - 1 - c.spongeOut;
  return (x) => {
    let s = 0;
    if (x < c.spongeIn) s = (c.spongeIn - x) / c.spongeIn;
    else if (x > outStart) s = (x - outStart) / c.spongeOut;
    return c.tau + (top - c.tau) * s * s;
  };
}

function pull(f: Float32Array, index: number): number {
  return f[index]!;
}

function withoutPerturb(options: object): Record<string, unknown> {
  const { perturb: _perturb, ...rest } = options as Record<string, unknown>;
  return rest;
}
