#!/usr/bin/env node
/** simstream-neuromorphic: reads config, starts the service, drains on SIGTERM/SIGINT. */
import { ConfigError } from '@simstream/errors';
import { loadNeuromorphicConfig } from './config.js';
import { startNeuromorphicService } from './app.js';

let config;
try {
  config = loadNeuromorphicConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`simstream-neuromorphic: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const service = await startNeuromorphicService(config);
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
