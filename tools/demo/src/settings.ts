/**
 * The demo's settings, read once from an injected environment and checked before anything
 * starts: DEMO_DURATION (how long the simulations stream; seconds, like 20s or 20) and
 * DEMO_KEEP (keep the services running afterwards).
 */
import { parseDuration } from '@simstream/config';
import { ConfigError } from '@simstream/errors';

export interface DemoSettings {
  readonly durationMs: number;
  readonly keep: boolean;
}

export const DEFAULT_DEMO_DURATION = '30s';
const MIN_DURATION_MS = 1000;

export function demoSettings(env: Readonly<Record<string, string | undefined>>): DemoSettings {
  const problems: string[] = [];
  const text = env.DEMO_DURATION?.trim() || DEFAULT_DEMO_DURATION;
  // People write the demo's length in seconds: a bare number is seconds, not milliseconds.
  const durationMs = parseDuration(text, 's');
  if (durationMs === undefined || durationMs < MIN_DURATION_MS)
    problems.push(`DEMO_DURATION must be at least 1 s, e.g. 20s, 20 (seconds) or 2m; got '${text}'`);
  const keepText = env.DEMO_KEEP?.trim() ?? '';
  if (!['', '0', '1', 'false', 'true'].includes(keepText))
    problems.push(`DEMO_KEEP must be 1 or 0; got '${keepText}'`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { durationMs: durationMs!, keep: keepText === '1' || keepText === 'true' };
}

/** 20000 → "20 s", 1500 → "1.5 s", 120000 → "2 min". */
export function describeDuration(ms: number): string {
  return ms >= 120_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Number((ms / 1000).toFixed(3))} s`;
}
