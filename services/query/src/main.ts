#!/usr/bin/env node
/** simstream-query: reads config, starts the service, drains on SIGTERM/SIGINT. */
import { ConfigError } from '@simstream/errors';
import { startQueryService } from './app.js';
import { loadQueryConfig } from './config.js';

let config;
try {
  config = loadQueryConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`simstream-query: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const service = await startQueryService(config);
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
