/** @simstream/rpc: shared gRPC server plumbing. */
export * from './balancing.js';
export * from './call-gate.js';
export * from './errors.js';
export * from './file-descriptors.js';
export * from './reflection.js';
export * from './status.js';
export * from './server.js';
export * from './tls.js';
