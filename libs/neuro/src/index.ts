/** @simstream/neuro: spiking-reservoir anomaly detection and the NAB scorer that measures it. */
export { createDetector } from './detector.js';
export type { Detector, DetectorStats, StreamInput, StreamResult } from './detector.js';
export { DEFAULT_CONFIG, DEFAULT_LIKELIHOOD, configHash, resolveConfig } from './config.js';
export type { DetectorConfig, DetectorOptions, LikelihoodConfig } from './config.js';
export { BatchError, StateMismatchError } from './errors.js';
export { STATE_VERSION } from './stream-state.js';
export * from './nab-sigmoid.js';
export * from './nab-scorer.js';
export * from './nab-sweep.js';
export * from './nab-corpus.js';
