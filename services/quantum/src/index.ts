/** The quantum service as a library (tests and the demo start it in-process). */
export { startQuantumService, type QuantumService } from './app.js';
export { loadQuantumConfig, QUANTUM_ENV, QUANTUM_ENV as SERVICE_ENV, type QuantumConfig } from './config.js';
export { buildPartitionProblem, evaluatePartition, type PartitionProblem } from './partition-problem.js';
export { activityGrid, type ActivityGrid } from './activity-grid.js';
