/**
 * Configuration from environment variables, validated once at start (STYLE: config readers take
 * an `env` argument so tests can inject it). The keys of a schema are the variable names; on
 * error, every missing or wrong variable is listed at once in a ConfigError.
 */
import { z } from 'zod';
import { ConfigError } from '@simstream/errors';

export { z };

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * One environment variable's schema, parsed from its text to a `T`. Declared here (not as a
 * zod type in other packages' declarations) so that packages using config need not depend on zod.
 */
export type EnvVar<T> = z.ZodType<T, string | undefined>;
export type EnvShape = Record<string, EnvVar<unknown>>;
export type ConfigOf<S extends EnvShape> = { [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never };

const v = <T>(schema: z.ZodType<T, string | undefined>): EnvVar<T> => schema;

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "64MiB", "1.5GB", "4096" → bytes; undefined when not a size. */
export function parseBytes(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (match === null || unit === undefined) return undefined;
  const value = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * "250ms", "10s", "2m", "1500" → milliseconds; undefined when not a duration. A bare number is
 * in `bareUnit`: milliseconds by default (timeouts), seconds where people think in seconds.
 */
export function parseDuration(text: string, bareUnit: 'ms' | 's' = 'ms'): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (match === null) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? bareUnit).toLowerCase()]!);
}

function fromText<T>(parse: (text: string) => T | undefined, what: string, example: string) {
  return z.string().transform((text, ctx) => {
    const value = parse(text);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `'${text}' is not ${what} (e.g. ${example})` });
      return z.NEVER;
    }
    return value;
  });
}

/**
 * Builders for the usual kinds of variables. Defaults of parsed kinds (lists, sizes, durations)
 * are given as the text a user would write, and parsed like it.
 */
export const env = {
  string: (fallback?: string): EnvVar<string> =>
    v(fallback === undefined ? z.string().min(1) : z.string().min(1).default(fallback)),
  optionalString: (): EnvVar<string | undefined> => v(z.string().min(1).optional()),
  int: (options: { min?: number; max?: number; default?: number } = {}): EnvVar<number> => {
    let schema = z.coerce.number<string>().int();
    if (options.min !== undefined) schema = schema.min(options.min);
    if (options.max !== undefined) schema = schema.max(options.max);
    return v(options.default === undefined ? schema : schema.default(options.default));
  },
  port: (fallback: number): EnvVar<number> =>
    v(z.coerce.number<string>().int().min(0).max(65535).default(fallback)),
  bool: (fallback: boolean): EnvVar<boolean> =>
    v(
      z
        .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
        .transform((x) => x === 'true' || x === '1' || x === 'yes')
        .default(fallback),
    ),
  list: (fallback?: string): EnvVar<string[]> => {
    const schema = z
      .string()
      .transform((text) =>
        text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      )
      .refine((items) => items.length > 0, { message: 'expected a comma-separated list' });
    return v(fallback === undefined ? schema : schema.prefault(fallback));
  },
  bytes: (fallback: string): EnvVar<number> => v(fromText(parseBytes, 'a size', '64MiB').prefault(fallback)),
  duration: (fallback: string): EnvVar<number> =>
    v(fromText(parseDuration, 'a duration', '10s').prefault(fallback)),
  oneOf: <const T extends readonly [string, ...string[]]>(
    values: T,
    fallback: T[number],
  ): EnvVar<T[number]> =>
    v(z.enum(values).default(fallback) as unknown as z.ZodType<T[number], string | undefined>),
};

/**
 * Reads and validates `shape` from `source`. Unknown variables are ignored; empty strings count
 * as unset so that `FOO=` in a compose file means "use the default".
 */
export function loadConfig<S extends EnvShape>(shape: S, source: Env = process.env): ConfigOf<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = z.object(shape).safeParse(input);
  if (result.success) return result.data as ConfigOf<S>;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(config)';
    const missing = issue.code === 'invalid_type' && input[name] === undefined;
    return missing ? `${name}: required but not set` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** Variable names and defaults of a schema, for documentation and for checking deploy files. */
export function describeConfig(
  shape: z.ZodRawShape,
): { name: string; default: unknown; required: boolean }[] {
  return Object.entries(shape).map(([name, schema]) => {
    const parsed = (schema as z.ZodType).safeParse(undefined);
    return { name, default: parsed.success ? parsed.data : undefined, required: !parsed.success };
  });
}
