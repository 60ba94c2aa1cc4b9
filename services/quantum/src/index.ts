/** The quantum service as a library (tests and the demo start it in-process). */
export { startQuantumService, type QuantumService } from './app.js';
export { loadQuantumConfig, QUANTUM_ENV, QUANTUM_ENV as SERVICE_ENV, type QuantumConfig } from './config.js';
export { buildPartitionProblem, evaluatePartition, type PartitionProblem } from './partition-problem.js';
export { activityGrid, type ActivityGrid } from './activity-grid.js';
// The Postgres stores, for the pooler test (test/integration/pooler.test.ts).
export { JobStore, type NewJob } from './job-store.js';
export { postgresBucketStore } from './bucket-state.js';
