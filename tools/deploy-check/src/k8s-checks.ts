/**
 * k8s/ (cluster prerequisites): each kustomize overlay builds, validates against the Kubernetes
 * and Strimzi schemas, keeps the pod posture, and its topics are the topic table's (partitions
 * and configs; replication and min.insync.replicas of the overlay's environment) on a cluster
 * with enough brokers to honour them.
 */
import path from 'node:path';
import {
  CLUSTER_TOPIC_ENVIRONMENT,
  DEV_CLUSTER_TOPIC_ENVIRONMENT,
  topicDefinitions,
  type TopicEnvironment,
} from '@simstream/kafka';
import type { Check } from './check.js';
import { topicResourceName } from './kafka-topics.js';
import { validateManifests } from './kubeconform.js';
import { parseManifests, type K8sObject } from './manifests.js';
import { checkPodSecurity } from './pod-policy.js';
import { runProgram } from '@simstream/toolchain';
import { arrayAt, at, stringAt } from './walk.js';

export const OVERLAYS: readonly { name: string; environment: TopicEnvironment }[] = [
  { name: 'dev', environment: DEV_CLUSTER_TOPIC_ENVIRONMENT },
  { name: 'production', environment: CLUSTER_TOPIC_ENVIRONMENT },
];

/** JSON with object keys sorted, so that key order (kustomize sorts them) does not count. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** The overlay's KafkaTopics against the topic table, and its brokers against the topics. */
export function checkKafkaTopology(
  objects: readonly K8sObject[],
  environment: TopicEnvironment,
  label: string,
): string[] {
  const problems: string[] = [];
  const topics = objects.filter((o) => o.kind === 'KafkaTopic');
  for (const t of topicDefinitions(environment)) {
    const doc = topics.find((o) => o.metadata.name === topicResourceName(t.name));
    if (doc === undefined) {
      problems.push(`${label}: no KafkaTopic for ${t.name}`);
      continue;
    }
    const want = {
      topicName: t.name,
      partitions: t.partitions,
      replicas: t.replicationFactor,
      config: t.config,
    };
    const got = {
      topicName: at(doc, 'spec', 'topicName'),
      partitions: at(doc, 'spec', 'partitions'),
      replicas: at(doc, 'spec', 'replicas'),
      config: at(doc, 'spec', 'config'),
    };
    if (canonical(got) !== canonical(want))
      problems.push(`${label}: KafkaTopic ${t.name} is ${canonical(got)}, the table says ${canonical(want)}`);
  }
  if (topics.length !== topicDefinitions(environment).length)
    problems.push(
      `${label}: ${topics.length} KafkaTopics, the table has ${topicDefinitions(environment).length}`,
    );
  const pools = objects.filter((o) => o.kind === 'KafkaNodePool');
  const count = (role: string) =>
    pools
      .filter((p) => arrayAt(p, 'spec', 'roles').includes(role))
      .reduce((n, p) => n + Number(at(p, 'spec', 'replicas')), 0);
  const brokers = count('broker');
  const controllers = count('controller');
  if (brokers < environment.replicationFactor)
    problems.push(`${label}: ${brokers} brokers cannot hold replication ${environment.replicationFactor}`);
  if (controllers % 2 === 0)
    problems.push(`${label}: ${controllers} controllers (a quorum needs an odd count)`);
  const kafka = objects.find((o) => o.kind === 'Kafka');
  const config = (key: string) => stringAt(kafka, 'spec', 'kafka', 'config', key);
  if (Number(config('min.insync.replicas')) !== environment.minInsyncReplicas)
    problems.push(
      `${label}: broker min.insync.replicas ${config('min.insync.replicas')}, topics use ${environment.minInsyncReplicas}`,
    );
  if (Number(config('transaction.state.log.replication.factor')) > brokers)
    problems.push(`${label}: the transaction log's replication exceeds the brokers`);
  return problems;
}

export function k8sChecks(kustomize: string, kubeconform: string, root: string): Check[] {
  return OVERLAYS.map((overlay) => ({
    name: `kustomize build k8s/overlays/${overlay.name} + kubeconform + topics`,
    run: async () => {
      const r = await runProgram(kustomize, ['build', path.join(root, 'k8s', 'overlays', overlay.name)]);
      if (r.code !== 0) return [`kustomize build failed: ${r.stderr.trim()}`];
      const objects = parseManifests(r.stdout, overlay.name);
      return [
        ...(await validateManifests(kubeconform, objects, `k8s ${overlay.name}`)),
        ...objects.flatMap((o) => checkPodSecurity(o).map((p) => `k8s ${overlay.name}: ${p}`)),
        ...checkKafkaTopology(objects, overlay.environment, `k8s ${overlay.name}`),
      ];
    },
  }));
}
