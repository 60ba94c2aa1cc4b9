/**
 * docker-compose.yml as data: the environment each service gets, read either from the file
 * itself (YAML with anchors and merge keys, ${VAR:-default} resolved to the default) or from the
 * model compose-go printed (deploy-lint compose).
 */
import { DeployInputError } from './errors.js';
import { parse } from 'yaml';

export interface ComposeService {
  readonly environment: Readonly<Record<string, string | null>>;
  readonly healthcheck?: { readonly test?: unknown; readonly disable?: boolean };
  readonly depends_on?: Readonly<Record<string, { readonly condition?: string }>>;
  readonly build?: { readonly context?: string; readonly dockerfile?: string };
  readonly image?: string;
  readonly read_only?: boolean;
  readonly cap_drop?: readonly string[];
  /** `source:target[:ro]` in the file; objects with target and read_only in compose-go's model. */
  readonly volumes?: readonly (string | { readonly target?: string; readonly read_only?: boolean })[];
}

/** Mount targets of a service's volumes, with whether each is read-only. */
export function volumeMounts(s: ComposeService): { target: string; readOnly: boolean }[] {
  return (s.volumes ?? []).flatMap((v) => {
    if (typeof v === 'string') {
      const parts = v.split(':');
      if (parts.length < 2) return [];
      return [{ target: parts[1]!, readOnly: (parts[2] ?? '').split(',').includes('ro') }];
    }
    return v.target === undefined ? [] : [{ target: v.target, readOnly: v.read_only === true }];
  });
}

export interface ComposeModel {
  readonly services: Readonly<Record<string, ComposeService>>;
}

/** `${NAME:-default}` / `${NAME-default}` → default; `${NAME}` → '' (compose with no environment). */
export function interpolateDefaults(text: string): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
    (_m, _name, fallback?: string) => fallback ?? '',
  );
}

function normaliseEnvironment(value: unknown): Record<string, string | null> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    const out: Record<string, string | null> = {};
    for (const item of value as unknown[]) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq < 0) out[text] = null;
      else out[text.slice(0, eq)] = text.slice(eq + 1);
    }
    return out;
  }
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        v === null
          ? null
          : typeof v === 'object'
            ? JSON.stringify(v)
            : String(v as string | number | boolean),
      ]),
    );
  throw new DeployInputError('environment must be a map or a list');
}

function normaliseDependsOn(value: unknown): Record<string, { condition?: string }> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value))
    return Object.fromEntries(
      (value as unknown[]).map((name) => [String(name), { condition: 'service_started' }]),
    );
  return value as Record<string, { condition?: string }>;
}

/** Reads the compose file's text (no engine, no environment: defaults apply). */
export function parseComposeFile(text: string): ComposeModel {
  const doc = parse(interpolateDefaults(text), { merge: true }) as { services?: Record<string, unknown> };
  if (doc.services === undefined) throw new DeployInputError('compose file without services');
  const services: Record<string, ComposeService> = {};
  for (const [name, raw] of Object.entries(doc.services)) {
    const s = raw as Record<string, unknown>;
    services[name] = {
      ...(s as unknown as ComposeService),
      environment: normaliseEnvironment(s.environment),
      depends_on: normaliseDependsOn(s.depends_on),
    };
  }
  return { services };
}
