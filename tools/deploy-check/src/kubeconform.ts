/** Validation of rendered manifests against the Kubernetes API and CRD schemas, offline. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import { Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { BackendTLSPolicy } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/BackendTLSPolicy';
import { GRPCRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRoute';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { TLSRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/TLSRoute';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { type K8sObject } from './manifests.js';
import { runProgram } from '@simstream/toolchain';
import { ensureKubernetesSchemas, ensureStrimziSchemas } from './tools.js';

/** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest schemas at hand. */
export const KUBERNETES_VERSIONS = ['1.29.0', '1.37.0'] as const;

interface Validatable {
  validate(): void;
}

/**
 * Custom resources whose CRDs are not at hand offline, validated by the models generated from
 * those CRDs (@kubernetes-models/*): the Prometheus Operator's ServiceMonitor and cert-manager's
 * Certificate, Issuer and ClusterIssuer.
 */
const MODELS: Readonly<Record<string, new (data: never) => Validatable>> = {
  'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1 PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1 PrometheusRule': PrometheusRule,
  'cert-manager.io/v1 Certificate': Certificate,
  'cert-manager.io/v1 Issuer': Issuer,
  'cert-manager.io/v1 ClusterIssuer': ClusterIssuer,
  'keda.sh/v1alpha1 ScaledObject': ScaledObject,
  'keda.sh/v1alpha1 TriggerAuthentication': TriggerAuthentication,
  // Gateway API v1.5 (standard channel): TLSRoute v1 since 1.5, BackendTLSPolicy v1 since 1.4.
  'gateway.networking.k8s.io/v1 GRPCRoute': GRPCRoute,
  'gateway.networking.k8s.io/v1 HTTPRoute': HTTPRoute,
  'gateway.networking.k8s.io/v1 TLSRoute': TLSRoute,
  'gateway.networking.k8s.io/v1 BackendTLSPolicy': BackendTLSPolicy,
};

const modelOf = (o: K8sObject) => MODELS[`${o.apiVersion} ${o.kind}`];

/**
 * Validates `objects` with kubeconform (strict: unknown fields are errors, missing schemas
 * too) for every Kubernetes version; ServiceMonitors and cert-manager resources go to their
 * model validators instead (MODELS). Returns the problems found.
 */
export async function validateManifests(
  kubeconform: string,
  objects: readonly K8sObject[],
  label: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const m of objects) {
    const Model = modelOf(m);
    if (Model === undefined) continue;
    try {
      new Model(m as never).validate();
    } catch (error) {
      problems.push(`${label}: ${m.kind}/${m.metadata.name}: ${(error as Error).message}`);
    }
  }
  const rest = objects.filter((o) => modelOf(o) === undefined);
  const crdRoot = await ensureStrimziSchemas();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-'));
  try {
    const file = path.join(dir, 'manifests.yaml');
    // JSON documents: YAML 1.1 readers (kubeconform) would take a plain `off` or `no` for a boolean.
    writeFileSync(file, rest.map((o) => '---\n' + JSON.stringify(o) + '\n').join(''));
    for (const version of KUBERNETES_VERSIONS) {
      const k8sRoot = await ensureKubernetesSchemas(version, rest);
      const result = await runProgram(kubeconform, [
        '-strict',
        '-summary',
        '-kubernetes-version',
        version,
        '-schema-location',
        `${k8sRoot}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
        '-schema-location',
        `${crdRoot}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
        file,
      ]);
      if (result.code !== 0) {
        const lines = (result.stdout + result.stderr)
          .split('\n')
          .filter((l) => l.trim() !== '' && !l.startsWith('Summary:'));
        problems.push(
          ...lines.map((l) => `${label} (Kubernetes ${version}): ${l.replace(file, 'manifests')}`),
        );
      } else if (!/Invalid: 0, Errors: 0/.test(result.stdout)) {
        problems.push(`${label}: unexpected kubeconform summary: ${result.stdout.trim()}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}
