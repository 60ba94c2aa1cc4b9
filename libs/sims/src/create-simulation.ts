/**
 * One entry point for callers that pick a simulation by name (the CLI's `simulate <kind>`).
 */
import { ValidationError } from '@simstream/errors';
import { GrayScott, type GrayScottOptions } from './gray-scott.js';
import { LbmCylinder } from './lbm-cylinder.js';
import type { LbmCylinderOptions } from './lbm-options.js';
import type { Simulation } from './types.js';

export const SIMULATION_KINDS = ['gray-scott', 'lbm-cylinder'] as const;
export type SimulationKind = (typeof SIMULATION_KINDS)[number];

/**
 * Builds a simulation of `kind` from options (validated: a ValidationError names every wrong or
 * unknown option). Options may come untyped, e.g. parsed from a command line.
 */
export function createSimulation(kind: 'gray-scott', options?: GrayScottOptions): GrayScott;
export function createSimulation(kind: 'lbm-cylinder', options?: LbmCylinderOptions): LbmCylinder;
export function createSimulation(kind: string, options?: Readonly<Record<string, unknown>>): Simulation;
export function createSimulation(kind: string, options: object = {}): Simulation {
  // The constructors validate their options at run time, whatever their static type.
  switch (kind) {
    case 'gray-scott':
      return new GrayScott(options);
    case 'lbm-cylinder':
      return new LbmCylinder(options);
    default:
      throw new ValidationError([
        {
          field: 'kind',
          reason: 'UNKNOWN_SIMULATION',
          description: `'${kind}' is not a simulation; use one of ${SIMULATION_KINDS.join(', ')}`,
        },
      ]);
  }
}
