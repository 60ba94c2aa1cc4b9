/** @simstream/toolchain: pnpm resolved like ./dev resolves it, and programs run with clear start failures. */
export * from './errors.js';
export * from './run-program.js';
export * from './pnpm.js';
