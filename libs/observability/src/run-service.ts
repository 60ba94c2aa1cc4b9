/**
 * The life of a service process, the same for every service: read the configuration (on error,
 * list every problem and exit 2), start (on error, say why and exit 1), and on SIGTERM or SIGINT
 * drain gracefully and exit 0 (1 if the drain fails).
 */
import { ConfigError, messageOf } from '@simstream/errors';
import type { Logger } from './logger.js';

export interface RunningService {
  readonly logger: Logger;
  stop(): Promise<void>;
}

export async function runService<C>(
  name: string,
  load: () => C,
  start: (config: C) => Promise<RunningService>,
): Promise<void> {
  let config: C;
  try {
    config = load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(2);
  }
  let service: RunningService;
  try {
    service = await start(config);
  } catch (error) {
    process.stderr.write(`${name}: could not start: ${messageOf(error)}\n`);
    process.exit(1);
  }
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
}
