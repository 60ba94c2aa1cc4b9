/** @simstream/observability: logs, metrics, health, and the ops HTTP endpoint. */
export * from './logger.js';
export * from './metrics.js';
export * from './health.js';
export * from './ops-server.js';
export * from './run-service.js';
