#!/usr/bin/env node
/** simstream-ingestion: reads config, starts the service, drains on SIGTERM/SIGINT. */
import { runService } from '@simstream/observability';
import { startIngestionService } from './app.js';
import { loadIngestionConfig } from './config.js';

await runService('simstream-ingestion', () => loadIngestionConfig(), startIngestionService);
