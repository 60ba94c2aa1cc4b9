/** The query service as a library (tests and the demo start it in-process). */
export { startQueryService, type QueryService } from './app.js';
export {
  loadQueryConfig,
  QUERY_ENV,
  QUERY_ENV as SERVICE_ENV,
  type QueryConfig,
  type QueryRole,
} from './config.js';
