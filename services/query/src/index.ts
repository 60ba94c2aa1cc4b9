/** The query service as a library (tests and the demo start it in-process). */
export { startQueryService, type QueryService } from './app.js';
export {
  loadQueryConfig,
  QUERY_ENV,
  QUERY_ENV as SERVICE_ENV,
  type QueryConfig,
  type QueryRole,
} from './config.js';
// The materializer's Postgres write, for the pooler test (test/integration/pooler.test.ts).
export { planBatch } from './materializer/batch-plan.js';
export { writePlan } from './materializer/pg-writer.js';
export type { FrameRow, ResultRow } from './materializer/rows.js';
