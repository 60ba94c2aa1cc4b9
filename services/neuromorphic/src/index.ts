/** The neuromorphic service as a library (tests and the demo start it in-process). */
export { startNeuromorphicService, type NeuromorphicService } from './app.js';
export {
  loadNeuromorphicConfig,
  NEUROMORPHIC_ENV,
  NEUROMORPHIC_ENV as SERVICE_ENV,
  type NeuromorphicConfig,
} from './config.js';
export { FIELD_STATS, STATS_PER_FIELD, fieldFeatures } from './field-features.js';
export { extractFeatures, featureDimFor, type FeatureLayout, type FrameFeatures } from './frame-features.js';
