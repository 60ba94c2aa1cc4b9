#!/usr/bin/env node
/** simstream-quantum: reads config, starts the service, drains on SIGTERM/SIGINT. */
import { runService } from '@simstream/observability';
import { startQuantumService } from './app.js';
import { loadQuantumConfig } from './config.js';

await runService('simstream-quantum', () => loadQuantumConfig(), startQuantumService);
