/** @simstream/storage: the stores behind small interfaces. */
export * from './postgres.js';
export * from './migrations.js';
export * from './redis.js';
export * from './influx.js';
export * from './config.js';
