/**
 * @simstream/sims: small real simulations that produce frames (Gray–Scott reaction–diffusion,
 * D2Q9 lattice-Boltzmann flow past a cylinder) behind one Simulation interface, plus a text
 * thumbnail renderer. Pure computation, no I/O.
 */
export type { FieldData, Simulation } from './types.js';
export { createSimulation, SIMULATION_KINDS, type SimulationKind } from './create-simulation.js';
export {
  GrayScott,
  GRAY_SCOTT_PRESETS,
  readGrayScottOptions,
  type GrayScottConfig,
  type GrayScottOptions,
  type GrayScottPreset,
  type GrayScottPresetName,
} from './gray-scott.js';
export { LbmCylinder, type ProbeSample } from './lbm-cylinder.js';
export {
  readLbmCylinderOptions,
  type CollisionModel,
  type LateralBoundary,
  type LbmCylinderConfig,
  type LbmCylinderOptions,
} from './lbm-options.js';
export { renderAscii, type RenderAsciiOptions } from './render-ascii.js';
export { mulberry32 } from './prng.js';
