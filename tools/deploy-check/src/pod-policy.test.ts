import { describe, expect, it } from 'vitest';
import type { K8sObject } from './manifests.js';
import { checkPodSecurity, checkServiceWorkload, containerEnvNames } from './pod-policy.js';

interface Container {
  [key: string]: unknown;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  env: Record<string, unknown>[];
}

function deployment(patch: (c: Container, pod: Record<string, unknown>) => void = () => {}): K8sObject {
  const container: Container = {
    name: 'query',
    image: 'simstream/query:0.1.0',
    securityContext: {
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
    resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    env: [
      { name: 'INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'pg', key: 'url' } } },
    ],
    envFrom: [{ configMapRef: { name: 'cm' } }],
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    livenessProbe: { httpGet: { path: '/healthz', port: 'ops' } },
    readinessProbe: { httpGet: { path: '/readyz', port: 'ops' } },
    lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
  };
  const pod: Record<string, unknown> = {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [container],
    volumes: [{ name: 'tmp', emptyDir: {} }],
    topologySpreadConstraints: [{ topologyKey: 'kubernetes.io/hostname' }],
    terminationGracePeriodSeconds: 30,
  };
  patch(container, pod);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'q' },
    spec: { template: { spec: pod } },
  };
}

describe('checkPodSecurity', () => {
  it('accepts the hardened pod', () => {
    expect(checkPodSecurity(deployment())).toEqual([]);
    expect(checkServiceWorkload(deployment())).toEqual([]);
  });
  it('names every weakness', () => {
    const bad = deployment((c, pod) => {
      c.securityContext = { capabilities: { add: ['NET_ADMIN'] } };
      c.image = 'simstream/query:latest';
      delete c.resources.limits.memory;
      c.env.push({ name: 'REDIS_URL', value: 'redis://:pw@redis:6379' });
      c.volumeMounts = [];
      pod.securityContext = { runAsUser: 0 };
      delete pod.automountServiceAccountToken;
    });
    expect(checkPodSecurity(bad)).toEqual([
      'Deployment/q: automountServiceAccountToken is not false',
      'Deployment/q container query: runAsNonRoot is not true',
      'Deployment/q container query: runs as uid 0',
      'Deployment/q container query: seccompProfile is not RuntimeDefault',
      'Deployment/q container query: readOnlyRootFilesystem is not true',
      'Deployment/q container query: allowPrivilegeEscalation is not false',
      'Deployment/q container query: capabilities do not drop ALL',
      'Deployment/q container query: adds capabilities',
      'Deployment/q container query: no limits.memory',
      'Deployment/q container query: image simstream/query:latest uses :latest',
      'Deployment/q container query: /tmp is not a writable emptyDir',
      'Deployment/q container query: REDIS_URL is written into the manifest, not taken from a Secret',
    ]);
  });
  it('ignores objects without pods', () => {
    expect(checkPodSecurity({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } })).toEqual([]);
  });
});

describe('checkServiceWorkload', () => {
  it('wants health probes, a drain hook, spread and INSTANCE_ID from the pod name', () => {
    const bad = deployment((c, pod) => {
      c.livenessProbe = { httpGet: { path: '/readyz', port: 'ops' } };
      delete c.lifecycle;
      c.env = [{ name: 'INSTANCE_ID', value: 'x' }];
      delete pod.topologySpreadConstraints;
    });
    expect(checkServiceWorkload(bad)).toEqual([
      'Deployment/q: livenessProbe is not GET /healthz on port ops',
      'Deployment/q: no preStop hook (graceful drain)',
      'Deployment/q: no topologySpreadConstraints',
      'Deployment/q: INSTANCE_ID is not the pod name (downward API)',
    ]);
  });
});

describe('containerEnvNames', () => {
  it('adds the keys of ConfigMaps taken with envFrom', () => {
    const cm: K8sObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { LOG_LEVEL: 'info' },
    };
    const d = deployment();
    expect(containerEnvNames(d, [d, cm])).toEqual(['INSTANCE_ID', 'DATABASE_URL', 'LOG_LEVEL']);
    expect(() => containerEnvNames(d, [d])).toThrow(/ConfigMap cm/);
  });
});
