/**
 * Least privilege of the rendered chart, for every value set: each pod (Deployments and the
 * migration Job) is selected by egress NetworkPolicies that admit only named peers on named
 * ports, a default deny covers the release, the gRPC callers reach their peers, the services
 * reach PgBouncer and PgBouncer reaches Postgres (a pooler cut off passes every schema); and every
 * Kafka-using workload signs in with credentials of its own (a shared Secret would give each
 * service the ACLs of all). Mistakes here pass every schema and still work in a cluster.
 */
import path from 'node:path';
import type { Check } from './check.js';
import { templateArgs, valueSets } from './chart-checks.js';
import { describeObject, parseManifests, type K8sObject } from './manifests.js';
import { podSpecOf } from './pod-policy.js';
import { runProgram } from '@simstream/toolchain';
import { arrayAt, at, stringAt } from './walk.js';

const podLabels = (o: K8sObject): Record<string, string> =>
  (at(o, 'spec', 'template', 'metadata', 'labels') as Record<string, string> | undefined) ?? {};

const selects = (policy: K8sObject, labels: Record<string, string>): boolean => {
  const match =
    (at(policy, 'spec', 'podSelector', 'matchLabels') as Record<string, string> | undefined) ?? {};
  return (
    arrayAt(policy, 'spec', 'podSelector', 'matchExpressions').length === 0 &&
    Object.entries(match).every(([k, v]) => labels[k] === v)
  );
};

const isEgress = (p: K8sObject) => arrayAt(p, 'spec', 'policyTypes').includes('Egress');

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job']);
const workloadOf = (objects: readonly K8sObject[], component: string) =>
  objects.find((o) => WORKLOADS.has(o.kind) && podLabels(o)['app.kubernetes.io/component'] === component);

/** gRPC calls inside the release: caller -> (callee, the callee's container port name). */
const GRPC_CALLS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  gateway: [
    ['ingestion', 'grpc-internal'],
    ['query', 'grpc'],
    ['quantum', 'grpc'],
  ],
  ingestion: [['query', 'grpc']],
};

function containerPort(objects: readonly K8sObject[], component: string, name: string): number | undefined {
  const w = workloadOf(objects, component);
  if (w === undefined) return undefined;
  for (const c of arrayAt(podSpecOf(w) ?? {}, 'containers'))
    for (const p of arrayAt(c, 'ports'))
      if (stringAt(p, 'name') === name) return Number(stringAt(p, 'containerPort'));
  return undefined;
}

export function checkEgress(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && isEgress(o));
  const pods = objects.filter((o) => WORKLOADS.has(o.kind) && podSpecOf(o) !== undefined);
  for (const p of policies)
    for (const [i, rule] of arrayAt(p, 'spec', 'egress').entries()) {
      if (arrayAt(rule, 'to').length === 0)
        problems.push(
          `${label}: NetworkPolicy/${p.metadata.name} egress rule ${i} has no 'to': it admits every destination`,
        );
      if (arrayAt(rule, 'ports').length === 0)
        problems.push(
          `${label}: NetworkPolicy/${p.metadata.name} egress rule ${i} has no ports: it admits every port`,
        );
    }
  for (const w of pods) {
    const labels = podLabels(w);
    const mine = policies.filter((p) => selects(p, labels));
    if (mine.length === 0) {
      problems.push(
        `${label}: ${describeObject(w)} pods are selected by no egress NetworkPolicy (they may connect anywhere)`,
      );
      continue;
    }
    if (!mine.some((p) => arrayAt(p, 'spec', 'egress').length === 0))
      problems.push(`${label}: ${describeObject(w)} pods have no default-deny egress policy`);
    const component = labels['app.kubernetes.io/component'] ?? '';
    for (const [callee, portName] of callsOf(objects, w, component)) {
      const port = containerPort(objects, callee, portName);
      if (port === undefined) continue; // callee disabled
      const calleeLabels = podLabels(workloadOf(objects, callee)!);
      const admitted = mine.some((p) =>
        arrayAt(p, 'spec', 'egress').some(
          (rule) =>
            arrayAt(rule, 'ports').some((rp) => Number(stringAt(rp, 'port')) === port) &&
            arrayAt(rule, 'to').some((peer) => {
              const match =
                (at(peer, 'podSelector', 'matchLabels') as Record<string, string> | undefined) ?? {};
              return (
                Object.keys(match).length > 0 &&
                Object.entries(match).every(([k, v]) => calleeLabels[k] === v)
              );
            }),
        ),
      );
      if (!admitted)
        problems.push(
          `${label}: ${describeObject(w)} calls ${callee} on port ${port}, which its egress policies do not admit`,
        );
    }
    if (component === 'pgbouncer') {
      // Its target, Postgres, is outside the release: its port must be admitted at least.
      const target = poolerTargetPort(objects);
      if (
        target !== undefined &&
        !mine.some((p) =>
          arrayAt(p, 'spec', 'egress').some((rule) =>
            arrayAt(rule, 'ports').some((rp) => Number(stringAt(rp, 'port')) === target),
          ),
        )
      )
        problems.push(
          `${label}: ${describeObject(w)} pools connections to Postgres on port ${target}, which its egress policies do not admit`,
        );
    }
  }
  return problems;
}

/** What a workload calls in the release: its gRPC peers, and PgBouncer when it uses Postgres. */
function callsOf(
  objects: readonly K8sObject[],
  w: K8sObject,
  component: string,
): (readonly [string, string])[] {
  const calls = [...(GRPC_CALLS[component] ?? [])];
  const usesPostgres = arrayAt(podSpecOf(w) ?? {}, 'containers').some((c) =>
    arrayAt(c, 'env').some((e) => stringAt(e, 'name') === 'DATABASE_URL'),
  );
  // The migration Job goes to Postgres directly; every other user goes through the pooler.
  if (usesPostgres && component !== 'migrate' && workloadOf(objects, 'pgbouncer') !== undefined)
    calls.push(['pgbouncer', 'postgres']);
  return calls;
}

/** The Postgres port PgBouncer connects to (its ConfigMap's [databases] entry). */
function poolerTargetPort(objects: readonly K8sObject[]): number | undefined {
  for (const o of objects) {
    const ini = o.kind === 'ConfigMap' ? stringAt(o, 'data', 'pgbouncer.ini') : undefined;
    const port = ini === undefined ? undefined : /\bport=(\d+)/.exec(ini)?.[1];
    if (port !== undefined) return Number(port);
  }
  return undefined;
}

/** The Secret a container's variable comes from (undefined: not from a Secret). */
function secretOf(w: K8sObject, variable: string): string | undefined {
  for (const c of arrayAt(podSpecOf(w) ?? {}, 'containers'))
    for (const e of arrayAt(c, 'env'))
      if (stringAt(e, 'name') === variable) return stringAt(e, 'valueFrom', 'secretKeyRef', 'name');
  return undefined;
}

export function checkKafkaCredentials(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string[]>();
  for (const w of objects.filter((o) => WORKLOADS.has(o.kind))) {
    const secret = secretOf(w, 'KAFKA_SASL_PASSWORD');
    if (secret === undefined) continue;
    owners.set(secret, [...(owners.get(secret) ?? []), w.metadata.name]);
  }
  for (const [secret, users] of owners)
    if (users.length > 1)
      problems.push(
        `${label}: ${users.join(', ')} share the Kafka credentials of Secret ${secret} (each needs its own user)`,
      );
  return problems;
}

export function chartPolicyChecks(helm: string, chartDir: string): Check[] {
  return valueSets(chartDir).map((set) => ({
    name: `helm template (${set.name}): egress NetworkPolicies, per-service Kafka credentials`,
    run: async () => {
      const r = await runProgram(helm, templateArgs(chartDir, set));
      if (r.code !== 0) return [`helm template failed: ${r.stderr.trim()}`];
      const objects = parseManifests(r.stdout, path.basename(set.file ?? 'default'));
      return [...checkEgress(objects, set.name), ...checkKafkaCredentials(objects, set.name)];
    },
  }));
}
