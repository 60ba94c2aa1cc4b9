/**
 * deploy/helmfile.yaml, the one-command install, checked offline. helmfile itself cannot run
 * here (its template and lint fetch the operators' charts from their repositories), so its
 * structure is checked instead: every remote chart pinned to an exact version from a declared
 * repository, Strimzi at the version whose CRDs validate k8s/, every local chart present, `needs`
 * naming real releases without a cycle and in the order the install depends on, every values
 * file present and free of secret literals. The releases of our own charts are rendered with the
 * helmfile's values and validated; the secrets chart must yield the Secrets the chart and k8s/ read.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runProgram } from '@simstream/toolchain';
import { parse } from 'yaml';
import type { Check } from './check.js';
import { validateManifests } from './kubeconform.js';
import { describeObject, parseManifests, type K8sObject } from './manifests.js';
import { checkAutoscaling, checkMemoryBudgets } from './scaling-checks.js';
import { serviceDefaults, topicPartitions } from './scaling-run.js';
import { STRIMZI_CRDS } from './tools.js';
import { arrayAt, at, stringAt } from './walk.js';

export interface Release {
  readonly name: string;
  readonly namespace: string;
  readonly chart: string;
  readonly version?: string;
  readonly needs: readonly string[];
  readonly values: readonly unknown[];
}

export const releaseId = (r: Release) => `${r.namespace}/${r.name}`;

export function releasesOf(helmfile: unknown): Release[] {
  return arrayAt(helmfile, 'releases').map((r) => ({
    name: stringAt(r, 'name') ?? '',
    namespace: stringAt(r, 'namespace') ?? '',
    chart: stringAt(r, 'chart') ?? '',
    version: stringAt(r, 'version'),
    needs: arrayAt(r, 'needs').map(String),
    values: arrayAt(r, 'values'),
  }));
}

/** The order the install depends on: each key's release needs the listed ones (by chart). */
export const REQUIRED_ORDER: Readonly<Record<string, readonly string[]>> = {
  // Nothing may land in the namespace before its pod security labels do.
  '../helm/simstream-secrets': ['../k8s/namespace'],
  'strimzi/strimzi-kafka-operator': ['../k8s/namespace'],
  '../k8s/overlays/production': [
    'strimzi/strimzi-kafka-operator',
    'jetstack/cert-manager',
    '../helm/simstream-secrets',
  ],
  '../helm/simstream': [
    '../k8s/namespace',
    '../k8s/overlays/production',
    '../helm/simstream-secrets',
    'kedacore/keda',
    'jetstack/cert-manager',
  ],
};

const SECRET_KEY = /^(password|token|secret|jwt-?secret|admin-?password|api-?key)$/i;

/** Keys that name a secret value and hold a non-empty literal (paths, for the message). */
export function secretLiterals(value: unknown, where = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretLiterals(v, `${where}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    SECRET_KEY.test(k) && typeof v === 'string' && v !== ''
      ? [`${where}.${k}`]
      : secretLiterals(v, `${where}.${k}`),
  );
}

/** Structure of the helmfile; `dir` resolves local charts and values files. */
export function checkHelmfile(helmfile: unknown, dir: string): string[] {
  const problems: string[] = [];
  const repos = new Set(arrayAt(helmfile, 'repositories').map((r) => stringAt(r, 'name')));
  const releases = releasesOf(helmfile);
  const byId = new Map(releases.map((r) => [releaseId(r), r]));
  const remote = (chart: string) => repos.has(chart.split('/')[0]) && !chart.startsWith('.');
  for (const r of releases) {
    const where = `release ${releaseId(r)}`;
    if (r.name === '' || r.namespace === '' || r.chart === '')
      problems.push(`${where}: needs name, namespace and chart`);
    if (remote(r.chart)) {
      if (r.version === undefined || !/^v?\d+\.\d+\.\d+$/.test(r.version))
        problems.push(`${where}: ${r.chart} is not pinned to an exact version (got ${r.version ?? 'none'})`);
    } else if (r.chart.startsWith('.')) {
      const local = path.resolve(dir, r.chart);
      if (!existsSync(path.join(local, 'Chart.yaml')) && !existsSync(path.join(local, 'kustomization.yaml')))
        problems.push(`${where}: ${r.chart} is neither a chart nor a kustomize directory`);
    } else problems.push(`${where}: chart ${r.chart} comes from no declared repository`);
    if (r.chart === 'strimzi/strimzi-kafka-operator' && r.version !== STRIMZI_CRDS.coordinates.split(':')[2])
      problems.push(
        `${where}: Strimzi ${r.version} but k8s/ is validated against the CRDs of ${STRIMZI_CRDS.coordinates}`,
      );
    for (const need of r.needs)
      if (!byId.has(need)) problems.push(`${where}: needs ${need}, which is no release here`);
    for (const v of r.values) {
      if (typeof v === 'string') {
        const file = path.resolve(dir, v);
        if (!existsSync(file)) problems.push(`${where}: values file ${v} is missing`);
        else
          for (const p of secretLiterals(parse(readFileSync(file, 'utf8')), v))
            problems.push(`${where}: ${p} holds a secret literal (Secrets are generated in the cluster)`);
      } else
        for (const p of secretLiterals(v, 'values'))
          problems.push(`${where}: ${p} holds a secret literal (Secrets are generated in the cluster)`);
    }
  }
  // Transitive needs, by chart, for the order the install depends on; a cycle never finishes.
  const reach = (id: string, seen = new Set<string>()): Set<string> => {
    for (const n of byId.get(id)?.needs ?? [])
      if (!seen.has(n)) {
        seen.add(n);
        reach(n, seen);
      }
    return seen;
  };
  for (const r of releases) {
    const before = reach(releaseId(r));
    if (before.has(releaseId(r))) problems.push(`release ${releaseId(r)}: its needs form a cycle`);
    const charts = new Set([...before].map((id) => byId.get(id)?.chart));
    for (const must of REQUIRED_ORDER[r.chart] ?? [])
      if (!charts.has(must))
        problems.push(`release ${releaseId(r)} (${r.chart}) does not come after ${must}`);
  }
  for (const chart of Object.keys(REQUIRED_ORDER))
    if (!releases.some((r) => r.chart === chart)) problems.push(`no release installs ${chart}`);
  for (const op of ['jetstack/cert-manager', 'strimzi/strimzi-kafka-operator', 'kedacore/keda'])
    if (!releases.some((r) => r.chart === op)) problems.push(`no release installs the operator ${op}`);
  return problems;
}

/** The generated Secrets: the names and keys the chart's defaults and k8s/ read, kept on uninstall. */
export function checkGeneratedSecrets(objects: readonly K8sObject[], chartValues: unknown): string[] {
  const problems: string[] = [];
  const want: [string, string][] = [
    [
      stringAt(chartValues, 'secrets', 'postgres', 'name') ?? '',
      stringAt(chartValues, 'secrets', 'postgres', 'urlKey') ?? '',
    ],
    [stringAt(chartValues, 'secrets', 'postgres', 'name') ?? '', 'password'], // k8s/base/postgres
    [
      stringAt(chartValues, 'secrets', 'postgres', 'name') ?? '',
      stringAt(chartValues, 'secrets', 'postgres', 'pooledUrlKey') ?? '',
    ],
    [
      stringAt(chartValues, 'secrets', 'postgres', 'name') ?? '',
      stringAt(chartValues, 'secrets', 'postgres', 'pgbouncerUserlistKey') ?? '',
    ],
    [
      stringAt(chartValues, 'secrets', 'redis', 'name') ?? '',
      stringAt(chartValues, 'secrets', 'redis', 'urlKey') ?? '',
    ],
    [stringAt(chartValues, 'secrets', 'redis', 'name') ?? '', 'password'], // k8s/base/redis
    [
      stringAt(chartValues, 'secrets', 'influxdb', 'name') ?? '',
      stringAt(chartValues, 'secrets', 'influxdb', 'tokenKey') ?? '',
    ],
    [stringAt(chartValues, 'secrets', 'influxdb', 'name') ?? '', 'admin-password'], // k8s/base/influxdb
    ...Object.values((at(chartValues, 'secrets', 'auth', 'env') ?? {}) as Record<string, string>).map(
      (key): [string, string] => [stringAt(chartValues, 'secrets', 'auth', 'name') ?? '', key],
    ),
  ];
  for (const [name, key] of want) {
    const s = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name);
    if (s === undefined) problems.push(`no Secret ${name}`);
    else if (!stringAt(s, 'stringData', key) && !stringAt(s, 'data', key))
      problems.push(`Secret ${name} lacks ${key}`);
  }
  for (const s of objects.filter((o) => o.kind === 'Secret'))
    if (s.metadata.annotations?.['helm.sh/resource-policy'] !== 'keep')
      problems.push(`${describeObject(s)} is not kept on uninstall (helm.sh/resource-policy: keep)`);
  return problems;
}

export function helmfileChecks(helmBin: string, kubeconform: string, root: string): Check[] {
  const dir = path.join(root, 'deploy');
  const file = path.join(dir, 'helmfile.yaml');
  const read = () => parse(readFileSync(file, 'utf8')) as unknown;
  const template = (chart: string, values: string[]) =>
    runProgram(helmBin, [
      'template',
      'simstream',
      chart,
      '--namespace',
      'simstream',
      '--kube-version',
      '1.29.0',
      ...values.flatMap((v) => ['-f', v]),
    ]);
  return [
    {
      name: 'deploy/helmfile.yaml: operators pinned, Strimzi = the CRDs checked, needs in install order, no secret literal',
      run: () => Promise.resolve(checkHelmfile(read(), dir)),
    },
    {
      name: 'deploy/helmfile.yaml: the simstream release renders with its values and validates',
      run: async () => {
        const app = releasesOf(read()).find((r) => r.chart === '../helm/simstream');
        if (app === undefined) return ['no simstream release'];
        const values = app.values
          .filter((v): v is string => typeof v === 'string')
          .map((v) => path.resolve(dir, v));
        const r = await template(path.resolve(dir, app.chart), values);
        if (r.code !== 0) return [`helm template failed: ${r.stderr.trim()}`];
        const objects = parseManifests(r.stdout, 'helmfile simstream');
        const problems = [
          ...(await validateManifests(kubeconform, objects, 'helmfile simstream')),
          ...checkAutoscaling(objects, topicPartitions(), 'helmfile simstream'),
          ...checkMemoryBudgets(objects, await serviceDefaults(root), 'helmfile simstream'),
        ];
        if (!objects.some((o) => o.kind === 'ScaledObject'))
          problems.push('helmfile simstream: KEDA is not on');
        return problems;
      },
    },
    {
      name: 'helm/simstream-secrets: lint, and the Secrets the chart and k8s/ read, kept, generated once (lookup)',
      run: async () => {
        const chart = path.join(root, 'helm', 'simstream-secrets');
        const lint = await runProgram(helmBin, ['lint', '--strict', chart, '--kube-version', '1.29.0']);
        if (lint.code !== 0) return [(lint.stdout + lint.stderr).trim()];
        const r = await template(chart, []);
        if (r.code !== 0) return [`helm template failed: ${r.stderr.trim()}`];
        const objects = parseManifests(r.stdout, 'simstream-secrets');
        const chartValues = parse(
          readFileSync(path.join(root, 'helm', 'simstream', 'values.yaml'), 'utf8'),
        ) as unknown;
        const problems = [
          ...(await validateManifests(kubeconform, objects, 'simstream-secrets')),
          ...checkGeneratedSecrets(objects, chartValues),
        ];
        if (
          !readFileSync(path.join(chart, 'templates', 'secrets.yaml'), 'utf8').includes(
            'lookup "v1" "Secret"',
          )
        )
          problems.push(
            'the secrets template does not read the existing Secrets (a second install would rotate them)',
          );
        return problems;
      },
    },
  ];
}
