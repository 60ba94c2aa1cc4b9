/** @simstream/stack: the system as local processes. */
export * from './ports.js';
export * from './processes.js';
export * from './stack.js';
export * from './credentials.js';
export * from './python.js';
