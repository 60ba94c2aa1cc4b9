/** @simstream/neuro: spiking-reservoir anomaly detection and the NAB scorer that measures it. */
export { createDetector } from './detector.js';
export type { Detector, DetectorStats, StreamInput, StreamResult } from './detector.js';
export { DEFAULT_CONFIG, DEFAULT_LIKELIHOOD, configHash, resolveConfig } from './config.js';
export type { DetectorConfig, DetectorOptions, LikelihoodConfig } from './config.js';
export { BatchError, StateMismatchError } from './errors.js';
export { STATE_VERSION } from './stream-state.js';
export { FIELD_STATS, STATS_PER_FIELD, fieldFeatures, type NumericArray } from './field-features.js';
export {
  chooseFields,
  featureDimFor,
  featureValues,
  frameFeatures,
  layoutOf,
  type FeatureLayout,
  type FieldValues,
  type FrameFeatures,
} from './feature-vector.js';
export * from './nab-sigmoid.js';
export * from './nab-scorer.js';
export * from './nab-sweep.js';
export * from './nab-corpus.js';
