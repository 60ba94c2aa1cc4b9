/**
 * Documentation kept true: every environment variable a service reads (its `SERVICE_ENV`) is
 * named in that service's README, and a README names no variable the service does not read.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Check } from './check.js';
import type { ServiceName } from './repo.js';
import type { ServiceEnvSpec } from './service-env.js';

/** Backticked UPPER_SNAKE names in a Markdown text (`KAFKA_BROKERS`, `INGEST_MAX_FIELDS`, …). */
export function documentedVariables(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)) out.add(m[1]!);
  return out;
}

/** Names that open a Markdown table row (`| \`NAME\` |` or `| \`A\`, \`B\` |`): configuration tables. */
export function tabledVariables(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (cell !== undefined) for (const name of documentedVariables(cell)) out.add(name);
  }
  return out;
}

/** Backticked families documented elsewhere as a whole: `KAFKA_*` → 'KAFKA_'. */
export function documentedFamilies(markdown: string): string[] {
  return [...markdown.matchAll(/`([A-Z][A-Z0-9_]*_)\*`/g)].map((m) => m[1]!);
}

/**
 * Problems between a service's variables and its README. `foreign` holds other services'
 * variables, which a README may mention (e.g. the gateway's README naming `QUERY_ADDRESS`'s peer).
 */
export function checkDocumentedEnv(
  spec: ServiceEnvSpec,
  markdown: string,
  where: string,
  foreign: ReadonlySet<string>,
): string[] {
  const documented = documentedVariables(markdown);
  const families = documentedFamilies(markdown);
  const problems: string[] = [];
  for (const name of [...spec.known].sort())
    if (!documented.has(name) && !families.some((f) => name.startsWith(f)))
      problems.push(`${where} does not document ${name}, which ${spec.service} reads`);
  // The other direction only for configuration tables (prose also names error codes and the like).
  for (const name of [...tabledVariables(markdown)].sort())
    if (name.includes('_') && !spec.known.has(name) && !foreign.has(name) && looksLikeOwn(spec.service, name))
      problems.push(`${where} documents ${name}, which ${spec.service} does not read`);
  return problems;
}

const PREFIX: Readonly<Record<ServiceName, string>> = {
  ingestion: 'INGEST_',
  neuromorphic: 'NEURO_',
  quantum: 'QUANTUM_',
  query: 'QUERY_',
  gateway: 'GATEWAY_',
};

/** A variable in the service's own family: the only ones a README can document wrongly. */
function looksLikeOwn(service: ServiceName, name: string): boolean {
  return name.startsWith(PREFIX[service]);
}

export function docChecks(root: string, envs: ReadonlyMap<ServiceName, ServiceEnvSpec>): Check[] {
  const all = new Set([...envs.values()].flatMap((s) => [...s.known]));
  return [...envs.values()]
    .filter((spec) => spec.source === 'schema')
    .map((spec) => ({
      name: `docs: services/${spec.service}/README.md names every variable ${spec.service} reads`,
      run: () => {
        const file = path.join(root, 'services', spec.service, 'README.md');
        if (!existsSync(file)) return Promise.resolve([`services/${spec.service}/README.md is missing`]);
        const foreign = new Set([...all].filter((n) => !spec.known.has(n)));
        return Promise.resolve(
          checkDocumentedEnv(spec, readFileSync(file, 'utf8'), `services/${spec.service}/README.md`, foreign),
        );
      },
    }));
}
