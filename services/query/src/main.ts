#!/usr/bin/env node
/** simstream-query: reads config, starts the service, drains on SIGTERM/SIGINT. */
import { runService } from '@simstream/observability';
import { startQueryService } from './app.js';
import { loadQueryConfig } from './config.js';

await runService('simstream-query', () => loadQueryConfig(), startQueryService);
