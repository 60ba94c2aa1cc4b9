#!/usr/bin/env node
/** simstream-gateway: reads config, starts the service, drains on SIGTERM/SIGINT. */
import { runService } from '@simstream/observability';
import { startGatewayService } from './app.js';
import { loadGatewayConfig } from './config.js';

await runService('simstream-gateway', () => loadGatewayConfig(), startGatewayService);
