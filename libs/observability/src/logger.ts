/**
 * Structured JSON logs (pino) with the service name on every line. Payload bytes are never
 * logged: log sizes, ids and steps instead.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly service: string;
  readonly level?: LevelWithSilent;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { service: options.service, pid: process.pid };
  const settings = { level: options.level ?? 'info', base, timestamp: pino.stdTimeFunctions.isoTime };
  return options.destination === undefined
    ? pino(settings)
    : pino(settings, options.destination as pino.DestinationStream);
}
