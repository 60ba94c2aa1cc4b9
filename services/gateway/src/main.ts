#!/usr/bin/env node
/** simstream-gateway: reads config, starts the service, drains on SIGTERM/SIGINT. */
import { ConfigError } from '@simstream/errors';
import { loadGatewayConfig } from './config.js';
import { startGatewayService } from './app.js';

let config;
try {
  config = loadGatewayConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`simstream-gateway: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const service = await startGatewayService(config);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    service.logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
