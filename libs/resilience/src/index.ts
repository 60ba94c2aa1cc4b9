/** @simstream/resilience: breakers and retries for remote calls. */
export * from './breaker.js';
export * from './retry.js';
export * from './client-errors.js';
