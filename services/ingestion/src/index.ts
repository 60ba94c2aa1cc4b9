/** The ingestion service as a library (tests and the demo start it in-process). */
export { startIngestionService, type IngestionService } from './app.js';
export {
  loadIngestionConfig,
  INGESTION_ENV,
  INGESTION_ENV as SERVICE_ENV,
  type IngestionConfig,
} from './config.js';
