import { describe, expect, it } from 'vitest';
import type { K8sObject } from './manifests.js';
import {
  checkBackup,
  checkConnectionBudget,
  checkPooledUrls,
  checkPoolerRouting,
  parseIni,
} from './pooler-checks.js';

type Mutable = Record<string, unknown>;
const labels = (component: string) => ({ 'app.kubernetes.io/component': component });

const INI = `[databases]
simstream = host=simstream-postgres port=5432 dbname=simstream connect_query='SET statement_timeout = ''30s'''
[pgbouncer]
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
max_db_connections = 20
ignore_startup_parameters = extra_float_digits,statement_timeout
`;

function container(env: Mutable[], extra: Mutable = {}): Mutable {
  return { name: 'c', image: 'x:1', env, envFrom: [{ configMapRef: { name: 'cm' } }], ...extra };
}

function dbUrl(key: string): Mutable {
  return { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'simstream-postgres', key } } };
}

/** A rendering as the chart produces it with defaults, trimmed to what the checks read. */
function rendered(
  o: { ini?: string; replicas?: number; serviceKey?: string; poolMax?: string } = {},
): K8sObject[] {
  const services = ['ingestion', 'neuromorphic', 'quantum', 'query', 'gateway'].flatMap((svc) => [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `simstream-${svc}`, labels: labels(svc) },
      spec: {
        replicas: 2,
        template: { spec: { containers: [container([dbUrl(o.serviceKey ?? 'database-pooled-url')])] } },
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: `simstream-${svc}`, labels: labels(svc) },
      spec: { scaleTargetRef: { name: `simstream-${svc}` }, maxReplicas: 12 },
    },
  ]);
  return [
    ...services,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { DATABASE_POOL_MAX: o.poolMax ?? '4' },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'simstream-migrate-1', labels: labels('migrate') },
      spec: { template: { spec: { containers: [container([dbUrl('database-url')])] } } },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'simstream-pgbouncer',
        labels: labels('pgbouncer'),
        annotations: { 'simstream.dev/postgres-budget': '90', 'simstream.dev/migration-connections': '1' },
      },
      data: { 'pgbouncer.ini': o.ini ?? INI },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'simstream-pgbouncer', labels: labels('pgbouncer') },
      spec: {
        replicas: o.replicas ?? 2,
        template: {
          spec: {
            containers: [container([], { readinessProbe: { exec: {} }, livenessProbe: { tcpSocket: {} } })],
          },
        },
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'simstream-pgbouncer' },
      spec: { selector: { matchLabels: labels('pgbouncer') } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'simstream-pgbouncer' },
      spec: { podSelector: { matchLabels: labels('pgbouncer') }, ingress: [{ from: [{ podSelector: {} }] }] },
    },
  ];
}

describe('pooler checks', () => {
  it('reads pgbouncer.ini by section', () => {
    expect(parseIni(INI).get('pgbouncer')?.get('pool_mode')).toBe('transaction');
  });

  it('pass the chart as it renders by default', () => {
    expect(checkPoolerRouting(rendered(), 'default')).toEqual([]);
    expect(checkConnectionBudget(rendered(), 'default')).toEqual([]);
  });

  it('catch a service that reads the direct URL, i.e. bypasses PgBouncer', () => {
    expect(checkPoolerRouting(rendered({ serviceKey: 'database-url' }), 'f')).toContain(
      "f: Deployment/simstream-ingestion takes DATABASE_URL from 'database-url', the migration Job's direct URL: it bypasses PgBouncer",
    );
  });

  it('catch session pooling, a refused statement_timeout login, uncapped server connections', () => {
    const ini = INI.replace('pool_mode = transaction', 'pool_mode = session')
      .replace('extra_float_digits,statement_timeout', 'extra_float_digits')
      .replace('max_db_connections = 20\n', '');
    const problems = checkPoolerRouting(rendered({ ini }), 'f');
    expect(problems).toContain('f: PgBouncer pool_mode is session, not transaction');
    expect(problems).toContain(
      "f: PgBouncer does not ignore the statement_timeout startup parameter: every service's login is refused",
    );
    expect(problems).toContain(
      'f: PgBouncer has no max_db_connections: its server connections are not capped',
    );
  });

  it('catch a single PgBouncer pod and a missing PDB or NetworkPolicy', () => {
    expect(checkPoolerRouting(rendered({ replicas: 1 }), 'f')).toContain(
      'f: PgBouncer runs 1 pod(s): one drain cuts every service off Postgres',
    );
    const bare = rendered().filter((o) => o.kind !== 'PodDisruptionBudget' && o.kind !== 'NetworkPolicy');
    expect(checkPoolerRouting(bare, 'f')).toEqual([
      'f: PgBouncer has no PodDisruptionBudget',
      'f: PgBouncer has no NetworkPolicy',
    ]);
  });

  it('catch pools that exceed max_client_conn at their most pods', () => {
    expect(checkConnectionBudget(rendered({ poolMax: '20' }), 'f')).toEqual([
      "f: the services' pools can open 1200 connections (ingestion 20 x 12 + neuromorphic 20 x 12 + quantum 20 x 12 + query 20 x 12 + gateway 20 x 12) but PgBouncer's max_client_conn is 1000",
    ]);
  });

  it('catch server pools that exceed the database budget', () => {
    const ini = INI.replace('max_db_connections = 20', 'max_db_connections = 50');
    expect(checkConnectionBudget(rendered({ ini, replicas: 2 }), 'f')).toEqual([
      'f: PgBouncer can open 101 server connections (50 x 2 pods + 1 for migrations) but the database budget is 90',
    ]);
  });

  const secret = (pooled: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'simstream-postgres' },
    data: {
      'database-url': Buffer.from('postgres://u:p@simstream-postgres:5432/simstream').toString('base64'),
      'database-pooled-url': Buffer.from(pooled).toString('base64'),
      'pgbouncer-userlist': Buffer.from('"simstream" "p"\n').toString('base64'),
    },
  });

  it('catch a dev Secret whose pooled URL goes straight to Postgres', () => {
    expect(checkPooledUrls([secret('postgres://u:p@simstream-pgbouncer:6432/simstream')], 'dev')).toEqual([]);
    expect(checkPooledUrls([secret('postgres://u:p@simstream-postgres:5432/simstream')], 'dev')).toEqual([
      'dev: database-pooled-url goes to simstream-postgres:5432, not PgBouncer (simstream-pgbouncer:6432)',
    ]);
  });

  function backup(change: (cron: Mutable, script: Mutable) => void = () => undefined): K8sObject[] {
    const env = [
      { name: 'PGHOST', value: 'simstream-postgres' },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
      { name: 'BACKUP_DIR', value: '/backups' },
      { name: 'BACKUP_KEEP', value: '14' },
    ];
    const cron: Mutable = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: {
        name: 'simstream-postgres-backup',
        labels: { 'app.kubernetes.io/name': 'postgres-backup' },
      },
      spec: {
        concurrencyPolicy: 'Forbid',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                automountServiceAccountToken: false,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 999,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                containers: [
                  {
                    name: 'backup',
                    image: 'postgres:16.6-bookworm',
                    env,
                    securityContext: {
                      readOnlyRootFilesystem: true,
                      allowPrivilegeEscalation: false,
                      capabilities: { drop: ['ALL'] },
                    },
                    resources: { requests: { cpu: '1', memory: '1' }, limits: { cpu: '1', memory: '1' } },
                    volumeMounts: [
                      { name: 'backups', mountPath: '/backups' },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'backups', persistentVolumeClaim: { claimName: 'b' } },
                  { name: 'scripts', configMap: { name: 'scripts' } },
                  { name: 'tmp', emptyDir: {} },
                ],
              },
            },
          },
        },
      },
    };
    const script: Mutable = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'scripts' },
      data: { 'backup.sh': 'pg_dump --format=custom --file=x' },
    };
    change(cron, script);
    return [cron as unknown as K8sObject, script as unknown as K8sObject];
  }

  it('pass a hardened custom-format backup CronJob', () => {
    expect(checkBackup(backup(), 'k8s')).toEqual([]);
  });

  it('catch a missing backup, one through PgBouncer, plain-format dumps, no retention, a writable root', () => {
    expect(checkBackup([], 'k8s')).toEqual(['k8s: no Postgres backup CronJob']);
    const problems = checkBackup(
      backup((cron, script) => {
        const c = (
          cron as { spec: { jobTemplate: { spec: { template: { spec: { containers: Mutable[] } } } } } }
        ).spec.jobTemplate.spec.template.spec.containers[0]!;
        c.env = (c.env as Mutable[]).map((e) =>
          e.name === 'PGHOST'
            ? { name: 'PGHOST', value: 'simstream-pgbouncer' }
            : e.name === 'BACKUP_KEEP'
              ? { name: 'X' }
              : e,
        );
        (c.securityContext as Mutable).readOnlyRootFilesystem = false;
        (script.data as Mutable)['backup.sh'] = 'pg_dump --file=x.sql';
        (cron.spec as Mutable).concurrencyPolicy = 'Allow';
      }),
      'k8s',
    );
    expect(problems).toEqual([
      'k8s: CronJob/simstream-postgres-backup container backup: readOnlyRootFilesystem is not true',
      'k8s: CronJob/simstream-postgres-backup: concurrencyPolicy is not Forbid (two dumps could run at once)',
      "k8s: CronJob/simstream-postgres-backup: PGHOST is 'simstream-pgbouncer': pg_dump must reach Postgres itself, not PgBouncer",
      'k8s: CronJob/simstream-postgres-backup: no retention (BACKUP_KEEP)',
      'k8s: CronJob/simstream-postgres-backup: its script does not run pg_dump --format=custom',
    ]);
  });
});
