/** @simstream/rpc: shared gRPC server plumbing. */
export * from './status.js';
export * from './server.js';
