#!/usr/bin/env node
/** simstream-neuromorphic: reads config, starts the service, drains on SIGTERM/SIGINT. */
import { runService } from '@simstream/observability';
import { startNeuromorphicService } from './app.js';
import { loadNeuromorphicConfig } from './config.js';

await runService('simstream-neuromorphic', () => loadNeuromorphicConfig(), startNeuromorphicService);
