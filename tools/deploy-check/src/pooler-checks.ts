/**
 * PgBouncer between the services and Postgres, and Postgres's backups (issue 13). On every
 * rendered value set: each service's DATABASE_URL is the pooled Secret key and the migration
 * Job's is not; PgBouncer pools by transaction, drops the statement_timeout startup parameter
 * the services send (or they could not log in), caps its server connections, runs at least two
 * pods with a PDB and a NetworkPolicy; the services' pools at their most pods fit in
 * max_client_conn, and PgBouncer's server pools in the database budget — recomputed here from
 * the manifests, while the chart itself must refuse over-budget values at render time. In k8s/:
 * the dev Secret's pooled URL names PgBouncer, and the backup CronJob dumps in custom format,
 * straight to Postgres, keeps a bounded number of archives and is hardened.
 */
import path from 'node:path';
import { runProgram } from '@simstream/toolchain';
import type { Check } from './check.js';
import { templateArgs, valueSets } from './chart-checks.js';
import { describeObject, parseManifests, type K8sObject } from './manifests.js';
import { checkPodSecurity, podSpecOf } from './pod-policy.js';
import { SERVICES } from './repo.js';
import { componentOf, containerEnvValues } from './tls-checks.js';
import { arrayAt, at, stringAt } from './walk.js';

/** node-postgres's pool size when DATABASE_POOL_MAX is not set (libs/storage POSTGRES_ENV). */
const SERVICE_DEFAULT_POOL_MAX = 10;
const PGBOUNCER = 'pgbouncer';

/** pgbouncer.ini as sections of key → value (comments and blank lines dropped). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let section = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      section = new Map();
      out.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) section.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

const isWorkload = (o: K8sObject) => o.kind === 'Deployment' || o.kind === 'StatefulSet';

interface Pooler {
  readonly workload: K8sObject;
  readonly settings: Map<string, string>;
  readonly databases: Map<string, string>;
  readonly configMap: K8sObject;
}

function poolerOf(objects: readonly K8sObject[]): Pooler | undefined {
  const workload = objects.find((o) => isWorkload(o) && componentOf(o) === PGBOUNCER);
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && componentOf(o) === PGBOUNCER);
  if (workload === undefined || configMap === undefined) return undefined;
  const ini = parseIni(stringAt(configMap, 'data', 'pgbouncer.ini') ?? '');
  return {
    workload,
    configMap,
    settings: ini.get('pgbouncer') ?? new Map<string, string>(),
    databases: ini.get('databases') ?? new Map<string, string>(),
  };
}

/** The Secret key a container's variable comes from, or undefined. */
function secretKeyOf(o: K8sObject, variable: string): string | undefined {
  const env = arrayAt(podSpecOf(o), 'containers', 0, 'env').find((e) => stringAt(e, 'name') === variable);
  return stringAt(env, 'valueFrom', 'secretKeyRef', 'key');
}

/** Services through PgBouncer, migrations straight to Postgres, PgBouncer itself sound. */
export function checkPoolerRouting(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  const say = (msg: string) => problems.push(`${label}: ${msg}`);
  const pooler = poolerOf(objects);
  if (pooler === undefined) return [`${label}: no PgBouncer Deployment with its pgbouncer.ini ConfigMap`];
  const job = objects.find((o) => o.kind === 'Job' && secretKeyOf(o, 'DATABASE_URL') !== undefined);
  const direct = job === undefined ? undefined : secretKeyOf(job, 'DATABASE_URL');
  const serviceKeys = new Set<string>();
  for (const o of objects.filter(isWorkload)) {
    const svc = componentOf(o);
    if (!(SERVICES as readonly (string | undefined)[]).includes(svc)) continue;
    const key = secretKeyOf(o, 'DATABASE_URL');
    if (key === undefined) continue;
    serviceKeys.add(key);
    if (key === direct)
      say(
        `${describeObject(o)} takes DATABASE_URL from '${key}', the migration Job's direct URL: it bypasses PgBouncer`,
      );
  }
  if (serviceKeys.size > 1)
    say(`the services take DATABASE_URL from different keys: ${[...serviceKeys].join(', ')}`);
  const s = pooler.settings;
  if (s.get('pool_mode') !== 'transaction')
    say(`PgBouncer pool_mode is ${s.get('pool_mode') ?? 'session (default)'}, not transaction`);
  const ignored = (s.get('ignore_startup_parameters') ?? '').split(',').map((p) => p.trim());
  if (!ignored.includes('statement_timeout'))
    say(
      "PgBouncer does not ignore the statement_timeout startup parameter: every service's login is refused",
    );
  if (![...pooler.databases.values()].some((d) => /connect_query='SET statement_timeout/.test(d)))
    say("no statement_timeout on PgBouncer's server connections (the services' own is dropped at login)");
  if (s.get('max_db_connections') === undefined)
    say('PgBouncer has no max_db_connections: its server connections are not capped');
  const replicas = Number(at(pooler.workload, 'spec', 'replicas') ?? 1);
  if (replicas < 2) say(`PgBouncer runs ${replicas} pod(s): one drain cuts every service off Postgres`);
  const matches = (o: K8sObject, ...p: string[]) =>
    stringAt(o, ...p, 'matchLabels', 'app.kubernetes.io/component') === PGBOUNCER;
  if (!objects.some((o) => o.kind === 'PodDisruptionBudget' && matches(o, 'spec', 'selector')))
    say('PgBouncer has no PodDisruptionBudget');
  const policy = objects.find((o) => o.kind === 'NetworkPolicy' && matches(o, 'spec', 'podSelector'));
  if (policy === undefined) say('PgBouncer has no NetworkPolicy');
  else if (arrayAt(policy, 'spec', 'ingress').some((r) => arrayAt(r, 'from').length === 0))
    say(`${describeObject(policy)} admits any source to PgBouncer`);
  const container = at(podSpecOf(pooler.workload), 'containers', 0);
  for (const probe of ['readinessProbe', 'livenessProbe'])
    if (at(container, probe) === undefined) say(`PgBouncer has no ${probe}`);
  return problems;
}

/** Pods of a workload at most: its HPA's or ScaledObject's maximum, else its replicas. */
function maxPods(o: K8sObject, objects: readonly K8sObject[]): number {
  const targets = (x: K8sObject) => stringAt(x, 'spec', 'scaleTargetRef', 'name') === o.metadata.name;
  const hpa = objects.find((x) => x.kind === 'HorizontalPodAutoscaler' && targets(x));
  if (hpa !== undefined) return Number(at(hpa, 'spec', 'maxReplicas'));
  const scaled = objects.find((x) => x.kind === 'ScaledObject' && targets(x));
  if (scaled !== undefined) return Number(at(scaled, 'spec', 'maxReplicaCount') ?? 100);
  return Number(at(o, 'spec', 'replicas') ?? 1);
}

/** Σ pool × most pods ≤ max_client_conn; default_pool_size × PgBouncer pods + migrations ≤ budget. */
export function checkConnectionBudget(objects: readonly K8sObject[], label: string): string[] {
  const pooler = poolerOf(objects);
  if (pooler === undefined) return [];
  const problems: string[] = [];
  let clients = 0;
  const terms: string[] = [];
  for (const o of objects.filter(isWorkload)) {
    if (!(SERVICES as readonly (string | undefined)[]).includes(componentOf(o))) continue;
    const env = containerEnvValues(o, objects);
    if (!env.has('DATABASE_URL')) continue;
    const pool = Number(env.get('DATABASE_POOL_MAX') ?? SERVICE_DEFAULT_POOL_MAX);
    const pods = maxPods(o, objects);
    clients += pool * pods;
    terms.push(`${componentOf(o)} ${pool} x ${pods}`);
  }
  const maxClient = Number(pooler.settings.get('max_client_conn') ?? 100);
  if (clients > maxClient)
    problems.push(
      `${label}: the services' pools can open ${clients} connections (${terms.join(' + ')}) but PgBouncer's max_client_conn is ${maxClient}`,
    );
  const perPod = Number(
    pooler.settings.get('max_db_connections') ?? pooler.settings.get('default_pool_size') ?? 20,
  );
  const pods = Number(at(pooler.workload, 'spec', 'replicas') ?? 1);
  const annotations = pooler.configMap.metadata.annotations ?? {};
  const budget = Number(annotations['simstream.dev/postgres-budget']);
  const migrations = Number(annotations['simstream.dev/migration-connections'] ?? 1);
  if (!Number.isFinite(budget))
    problems.push(`${label}: the PgBouncer ConfigMap does not state the database budget`);
  else if (perPod * pods + migrations > budget)
    problems.push(
      `${label}: PgBouncer can open ${perPod * pods + migrations} server connections (${perPod} x ${pods} pods + ${migrations} for migrations) but the database budget is ${budget}`,
    );
  return problems;
}

/** The dev Secret: the services' URL names PgBouncer, the direct one Postgres. */
export function checkPooledUrls(objects: readonly K8sObject[], label: string): string[] {
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'simstream-postgres');
  if (secret === undefined) return [`${label}: no Secret simstream-postgres`];
  const value = (key: string): string | undefined => {
    const plain = stringAt(secret, 'stringData', key);
    const encoded = stringAt(secret, 'data', key);
    return plain ?? (encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8'));
  };
  const problems: string[] = [];
  const host = (url: string | undefined) => (url === undefined ? undefined : new URL(url).host);
  const pooled = host(value('database-pooled-url'));
  if (pooled !== 'simstream-pgbouncer:6432')
    problems.push(
      `${label}: database-pooled-url goes to ${pooled ?? 'nowhere'}, not PgBouncer (simstream-pgbouncer:6432)`,
    );
  const direct = host(value('database-url'));
  if (direct !== 'simstream-postgres:5432')
    problems.push(
      `${label}: database-url goes to ${direct ?? 'nowhere'}, not Postgres (simstream-postgres:5432)`,
    );
  if (!/^"[^"]+" "[^"]+"\n?$/.test(value('pgbouncer-userlist') ?? ''))
    problems.push(`${label}: pgbouncer-userlist is not one "user" "password" line`);
  return problems;
}

/** The backup CronJob: there, custom-format pg_dump straight to Postgres, bounded, hardened. */
export function checkBackup(objects: readonly K8sObject[], label: string): string[] {
  const cron = objects.find(
    (o) => o.kind === 'CronJob' && o.metadata.labels?.['app.kubernetes.io/name'] === 'postgres-backup',
  );
  if (cron === undefined) return [`${label}: no Postgres backup CronJob`];
  const where = `${label}: ${describeObject(cron)}`;
  const problems = checkPodSecurity(cron).map((p) => `${label}: ${p}`);
  if (stringAt(cron, 'spec', 'concurrencyPolicy') !== 'Forbid')
    problems.push(`${where}: concurrencyPolicy is not Forbid (two dumps could run at once)`);
  const pod = podSpecOf(cron);
  const container = at(pod, 'containers', 0);
  const env = new Map(arrayAt(container, 'env').map((e) => [stringAt(e, 'name'), e]));
  const pgHost = stringAt(env.get('PGHOST'), 'value') ?? '';
  if (pgHost === '' || pgHost.includes(PGBOUNCER))
    problems.push(`${where}: PGHOST is '${pgHost}': pg_dump must reach Postgres itself, not PgBouncer`);
  if (at(env.get('PGPASSWORD'), 'valueFrom', 'secretKeyRef') === undefined)
    problems.push(`${where}: PGPASSWORD does not come from a Secret`);
  const keep = Number(stringAt(env.get('BACKUP_KEEP'), 'value'));
  if (!Number.isInteger(keep) || keep < 1) problems.push(`${where}: no retention (BACKUP_KEEP)`);
  const mount = arrayAt(container, 'volumeMounts').find(
    (m) => stringAt(m, 'mountPath') === stringAt(env.get('BACKUP_DIR'), 'value'),
  );
  const volume = arrayAt(pod, 'volumes').find((v) => stringAt(v, 'name') === stringAt(mount, 'name'));
  if (at(volume, 'persistentVolumeClaim') === undefined)
    problems.push(`${where}: BACKUP_DIR is not on a PersistentVolumeClaim`);
  const scripts = arrayAt(pod, 'volumes')
    .map((v) => stringAt(v, 'configMap', 'name'))
    .map((name) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name));
  const script = scripts.map((cm) => stringAt(cm, 'data', 'backup.sh')).find((s) => s !== undefined) ?? '';
  if (!/pg_dump\s+(--format=custom|-Fc)\b/.test(script))
    problems.push(`${where}: its script does not run pg_dump --format=custom`);
  return problems;
}

/** Over-budget value sets: the chart must refuse each at render time, saying why. */
export const BUDGET_REFUSALS: readonly { set: string[]; expect: RegExp }[] = [
  {
    set: ['--set', 'services.query.autoscaling.maxReplicas=200'],
    expect:
      /postgres budget: the services' pools can open 1824 connections to PgBouncer .*maxClientConn is 1000/,
  },
  {
    set: ['--set', 'pgbouncer.defaultPoolSize=50'],
    expect: /postgres budget: PgBouncer can open 101 server connections .*database budget is 90/,
  },
  {
    set: ['--set', 'pgbouncer.enabled=false'],
    expect: /postgres budget: without PgBouncer the services' pools can open 321 connections to Postgres/,
  },
  {
    set: ['--set', 'services.gateway.env.DATABASE_POOL_MAX=200'],
    expect: /postgres budget: .*gateway 200 x 10/,
  },
];

export function poolerChecks(helmBin: string, kustomize: string, root: string): Check[] {
  const chartDir = path.join(root, 'helm', 'simstream');
  return [
    {
      name: 'pooler: services through PgBouncer in transaction mode, migrations direct, within the connection budget (every value set)',
      run: async () => {
        const problems: string[] = [];
        for (const set of valueSets(chartDir)) {
          const r = await runProgram(helmBin, templateArgs(chartDir, set));
          if (r.code !== 0) {
            problems.push(`${set.name}: helm template failed: ${r.stderr.trim()}`);
            continue;
          }
          const objects = parseManifests(r.stdout, set.name);
          problems.push(
            ...checkPoolerRouting(objects, set.name),
            ...checkConnectionBudget(objects, set.name),
          );
        }
        return problems;
      },
    },
    {
      name: 'pooler: the chart refuses values whose pools exceed PgBouncer or the database budget',
      run: async () => {
        const problems: string[] = [];
        for (const wrong of BUDGET_REFUSALS) {
          const r = await runProgram(
            helmBin,
            templateArgs(chartDir, { name: 'default', apiVersions: [] }, [...wrong.set]),
          );
          if (r.code === 0) problems.push(`${wrong.set.join(' ')} was accepted`);
          else if (!wrong.expect.test(r.stderr))
            problems.push(`${wrong.set.join(' ')}: unclear message: ${r.stderr.trim()}`);
        }
        return problems;
      },
    },
    {
      name: "pooler: the dev Secret's pooled URL is PgBouncer's; Postgres backups hardened (k8s overlays)",
      run: async () => {
        const problems: string[] = [];
        for (const overlay of ['dev', 'production']) {
          const r = await runProgram(kustomize, ['build', path.join(root, 'k8s', 'overlays', overlay)]);
          if (r.code !== 0) {
            problems.push(`${overlay}: kustomize build failed: ${r.stderr.trim()}`);
            continue;
          }
          const objects = parseManifests(r.stdout, overlay);
          problems.push(...checkBackup(objects, `k8s ${overlay}`));
          if (overlay === 'dev') problems.push(...checkPooledUrls(objects, `k8s ${overlay}`));
        }
        return problems;
      },
    },
  ];
}
