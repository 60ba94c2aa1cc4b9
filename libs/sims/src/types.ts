/**
 * The shape every simulation in this package exposes, so the CLI, the demo and the ingestion
 * benchmark can drive any of them the same way and turn each state into a frame.
 */

/** One named array of a frame: row-major, `shape` is [ny, nx], index `y * nx + x`. */
export interface FieldData {
  readonly name: string;
  readonly dtype: 'float32';
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface Simulation {
  /** `gray-scott` or `lbm-cylinder`. */
  readonly kind: string;
  /** Solver steps taken so far (grows by `substeps` per frame; 0 before the first advance). */
  readonly step: number;
  /** Simulation time of the current state, in the model's own unit (see `attributes().time_unit`). */
  readonly time: number;
  /** Solver steps per frame: `advance(n)` takes `n * substeps` solver steps. */
  readonly substeps: number;
  /** Advances by `frames` frames (default 1), i.e. `frames * substeps` solver steps. */
  advance(frames?: number): void;
  /**
   * The current state. The arrays are views of buffers the simulation owns (no copy): they stay
   * valid until the next `advance()`, which overwrites them. Copy them if you keep them longer.
   */
  fields(): FieldData[];
  /**
   * Changes parameters of the running simulation (which ones: see each simulation). They take
   * effect at the next `advance` and show in `attributes()` at once. Validated like the
   * constructor's options, against the options with the update laid over them: a
   * ValidationError names every wrong, unknown or not updatable parameter, and nothing changes.
   */
  update(parameters: Readonly<Record<string, unknown>>): void;
  /** Description of the run (parameters, units, geometry), suitable for frame attributes; follows `update`. */
  attributes(): Record<string, string>;
}
