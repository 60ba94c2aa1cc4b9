/**
 * Production policies of each k8s/ overlay after `kustomize build`, beyond schema validity
 * (k8s-checks.ts): Kafka's disks cannot fill, no listener without authentication, least-privilege
 * KafkaUsers, the namespace enforces the restricted pod security level, Kafka is observed.
 * One kustomize build per overlay feeds every rule.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Check } from './check.js';
import { OVERLAYS } from './k8s-checks.js';
import { checkKafkaMonitoring, serviceMetricNames } from './kafka-monitoring-checks.js';
import { checkKafkaSecurity, checkNamespaceSecurity } from './kafka-security-checks.js';
import { checkKafkaStorage } from './kafka-storage-checks.js';
import { validateManifests } from './kubeconform.js';
import { parseManifests, type K8sObject } from './manifests.js';
import { runProgram } from '@simstream/toolchain';

/** Every rule of this module for one built overlay. */
export function checkOverlayPolicies(
  objects: readonly K8sObject[],
  label: string,
  serviceMetrics: readonly string[],
): string[] {
  return [
    ...checkKafkaStorage(objects, label),
    ...checkKafkaSecurity(objects, label),
    ...checkNamespaceSecurity(objects, label),
    ...checkKafkaMonitoring(objects, label, serviceMetrics),
  ];
}

/** The docs' KafkaRebalance example is not in an overlay: validated on its own. */
const EXAMPLES = ['k8s/base/kafka/rebalance-example.yaml'];

export function overlayPolicyChecks(kustomize: string, kubeconform: string, root: string): Check[] {
  const examples: Check = {
    name: `k8s examples (${EXAMPLES.join(', ')}) + kubeconform`,
    run: async () => {
      const problems: string[] = [];
      for (const file of EXAMPLES) {
        const objects = parseManifests(readFileSync(path.join(root, file), 'utf8'), file);
        problems.push(...(await validateManifests(kubeconform, objects, file)));
      }
      return problems;
    },
  };
  const overlays = OVERLAYS.map((overlay) => ({
    name: `k8s/overlays/${overlay.name}: Kafka disk sizing, authentication, ACLs, pod security admission, monitoring`,
    run: async () => {
      const r = await runProgram(kustomize, ['build', path.join(root, 'k8s', 'overlays', overlay.name)]);
      if (r.code !== 0) return [`kustomize build failed: ${r.stderr.trim()}`];
      return checkOverlayPolicies(
        parseManifests(r.stdout, overlay.name),
        `k8s ${overlay.name}`,
        serviceMetricNames(root),
      );
    },
  }));
  return [...overlays, examples];
}
