/** @simstream/auth: credentials and tenants at the public edges. */
export * from './api-key.js';
export * from './auth-config.js';
export * from './authenticator.js';
export * from './client-address.js';
export * from './failure-limiter.js';
export * from './jwt.js';
export * from './key-store.js';
export * from './ownership.js';
