/**
 * Runs scaling-checks.ts on the chart: every value set rendered and checked (KEDA, HPAs, memory
 * limits against the services' own budget defaults, GPU rollouts, digests), the KEDA topic
 * values against the topic table, wrong values refused with a reason, and the packaged dashboard
 * equal to the one compose provisions.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeConfig } from '@simstream/config';
import { CLUSTER_TOPIC_ENVIRONMENT, topicDefinitions } from '@simstream/kafka';
import { runProgram } from '@simstream/toolchain';
import { parse } from 'yaml';
import { templateArgs, valueSets, type ValueSet } from './chart-checks.js';
import type { Check } from './check.js';
import { DeployInputError } from './errors.js';
import { parseManifests, type K8sObject } from './manifests.js';
import { podSpecOf } from './pod-policy.js';
import { SERVICES, type ServiceName } from './repo.js';
import {
  CONSUMERS,
  checkAutoscaling,
  checkGpuRollout,
  checkImageRefs,
  checkKedaCredentials,
  checkMemoryBudgets,
  type Partitions,
} from './scaling-checks.js';
import { at, stringAt } from './walk.js';

/** The defaults of every variable a built service reads (its SERVICE_ENV schema). */
export async function serviceDefaults(root: string): Promise<Map<ServiceName, Map<string, unknown>>> {
  const out = new Map<ServiceName, Map<string, unknown>>();
  for (const svc of SERVICES) {
    const index = path.join(root, 'services', svc, 'dist', 'index.js');
    if (!existsSync(index)) throw new DeployInputError(`${index} missing: build the services first`);
    const mod = (await import(pathToFileURL(index).href)) as {
      SERVICE_ENV?: Parameters<typeof describeConfig>[0];
    };
    if (mod.SERVICE_ENV === undefined) throw new DeployInputError(`${index} does not export SERVICE_ENV`);
    out.set(svc, new Map(describeConfig(mod.SERVICE_ENV).map((v) => [v.name, v.default])));
  }
  return out;
}

export const topicPartitions = (): Partitions =>
  new Map(topicDefinitions(CLUSTER_TOPIC_ENVIRONMENT).map((t) => [t.name, t.partitions]));

/** keda.topics in values.yaml: each entry's name and partitions as the topic table has them. */
export function checkKedaTopics(values: unknown, partitions: Partitions): string[] {
  const problems: string[] = [];
  const topics = at(values, 'keda', 'topics');
  if (typeof topics !== 'object' || topics === null) return ['values.yaml has no keda.topics'];
  for (const [key, t] of Object.entries(topics)) {
    const name = stringAt(t, 'name') ?? '';
    const p = partitions.get(name);
    if (p === undefined) problems.push(`keda.topics.${key}: '${name}' is not in libs/kafka/src/topics.ts`);
    else if (Number(at(t, 'partitions')) !== p)
      problems.push(
        `keda.topics.${key}.partitions is ${String(at(t, 'partitions'))}, the topic table says ${p}`,
      );
  }
  return problems;
}

/** What the KEDA and GPU value sets are for must show in their rendering. */
export function checkScalingIntent(set: string, objects: readonly K8sObject[], dashboard: string): string[] {
  const problems: string[] = [];
  const say = (msg: string) => problems.push(`${set}: ${msg}`);
  const of = (kind: string, svc: string) =>
    objects.find((o) => o.kind === kind && o.metadata.labels?.['app.kubernetes.io/component'] === svc);
  if (set === 'keda') {
    for (const svc of [...CONSUMERS, 'ingestion']) {
      if (of('ScaledObject', svc) === undefined) say(`${svc} has no ScaledObject`);
      if (of('HorizontalPodAutoscaler', svc) !== undefined) say(`${svc} has an HPA of its own beside KEDA's`);
    }
    if (Number(at(of('ScaledObject', 'neuromorphic'), 'spec', 'maxReplicaCount')) !== 12)
      say('neuromorphic maxReplicas 20 is not capped at the 12 partitions');
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet'))
      if (!(stringAt(podSpecOf(o), 'containers', 0, 'image') ?? '').includes('@sha256:'))
        say(`${o.kind}/${o.metadata.name} does not run its image by digest`);
    const cm = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.labels?.['grafana_dashboard'] === '1',
    );
    if (cm === undefined) say('no dashboard ConfigMap for the Grafana sidecar');
    else if (stringAt(cm, 'data', 'simstream.json')?.trim() !== dashboard.trim())
      say('the dashboard ConfigMap differs from deploy/grafana/dashboards/simstream.json');
  } else if (set === 'gpu') {
    const neuro = of('Deployment', 'neuromorphic');
    if (stringAt(neuro, 'spec', 'strategy', 'rollingUpdate', 'maxSurge') !== '0')
      say('GPU pods still surge during a rollout');
    const fewest = Number(at(of('HorizontalPodAutoscaler', 'neuromorphic'), 'spec', 'minReplicas'));
    if (!(fewest >= 2)) say(`GPU pods can drop to ${fewest}: the PDB would let a drain evict the only one`);
  } else if (set === 'default') {
    if (objects.some((o) => o.kind === 'ScaledObject')) say('a ScaledObject although keda.enabled is false');
  }
  return problems;
}

/** Values the chart must refuse, each with the reason in the message. */
export const REFUSED: readonly { set: string[]; expect: RegExp }[] = [
  {
    set: ['--set', 'services.ingestion.autoscaling.targetMemoryUtilizationPercentage=80'],
    expect: /targetMemoryUtilizationPercentage: memory is not a scaling signal/,
  },
  { set: ['--set', 'services.query.image.digest=sha256:abc'], expect: /\/services\/query\/image\/digest/ },
  {
    set: ['--set', 'services.neuromorphic.autoscaling.minReplicas=1'],
    expect: /PodDisruptionBudget over fewer than 2 pods .*evict the only pod/,
  },
  {
    set: ['--set', 'keda.prometheus.serverAddress=prometheus:9090'],
    expect: /\/keda\/prometheus\/serverAddress/,
  },
];

async function render(helmBin: string, chartDir: string, set: ValueSet, extra: string[] = []) {
  return runProgram(helmBin, templateArgs(chartDir, set, extra));
}

export function scalingChecks(helmBin: string, chartDir: string, root: string): Check[] {
  const dashboardFile = path.join(root, 'deploy', 'grafana', 'dashboards', 'simstream.json');
  return [
    {
      name: 'keda.topics match the topic table (libs/kafka/src/topics.ts)',
      run: () =>
        Promise.resolve(
          checkKedaTopics(parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')), topicPartitions()),
        ),
    },
    {
      name: 'scaling (KEDA lag capped at partitions, no memory HPA), memory limits cover the budgets, GPU rollouts (every value set)',
      run: async () => {
        const defaults = await serviceDefaults(root);
        const partitions = topicPartitions();
        const dashboard = readFileSync(dashboardFile, 'utf8');
        const problems: string[] = [];
        for (const set of valueSets(chartDir)) {
          const r = await render(helmBin, chartDir, set);
          if (r.code !== 0) {
            problems.push(`${set.name}: helm template failed: ${r.stderr.trim()}`);
            continue;
          }
          const objects = parseManifests(r.stdout, set.name);
          problems.push(
            ...checkAutoscaling(objects, partitions, set.name),
            ...checkKedaCredentials(objects, set.name),
            ...checkMemoryBudgets(objects, defaults, set.name),
            ...checkGpuRollout(objects, set.name),
            ...checkImageRefs(objects, set.name),
            ...checkScalingIntent(set.name, objects, dashboard),
          );
        }
        return problems;
      },
    },
    {
      name: 'the chart refuses memory HPAs, malformed digests, a PDB over one pod (with the reason)',
      run: async () => {
        const problems: string[] = [];
        for (const wrong of REFUSED) {
          const r = await render(helmBin, chartDir, { name: 'default', apiVersions: [] }, wrong.set);
          if (r.code === 0) problems.push(`${wrong.set.join(' ')} was accepted`);
          else if (!wrong.expect.test(r.stderr))
            problems.push(`${wrong.set.join(' ')}: unclear message: ${r.stderr.trim()}`);
        }
        return problems;
      },
    },
    {
      name: "the chart's dashboard is deploy/grafana/dashboards/simstream.json",
      run: () =>
        Promise.resolve(
          readFileSync(path.join(chartDir, 'dashboards', 'simstream.json'), 'utf8') ===
            readFileSync(dashboardFile, 'utf8')
            ? []
            : [
                'helm/simstream/dashboards/simstream.json differs: cp deploy/grafana/dashboards/simstream.json helm/simstream/dashboards/',
              ],
        ),
    },
  ];
}
