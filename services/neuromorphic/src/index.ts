/** The neuromorphic service as a library (tests and the demo start it in-process). */
export { startNeuromorphicService, type NeuromorphicService } from './app.js';
export {
  loadNeuromorphicConfig,
  NEUROMORPHIC_ENV,
  NEUROMORPHIC_ENV as SERVICE_ENV,
  type NeuromorphicConfig,
} from './config.js';
export { extractFeatures } from './frame-features.js';
// The checkpoint store, for the pooler test (test/integration/pooler.test.ts).
export { PostgresCheckpointStore } from './checkpoint-store.js';
