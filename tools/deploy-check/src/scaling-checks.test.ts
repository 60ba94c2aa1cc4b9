import { describe, expect, it } from 'vitest';
import type { K8sObject } from './manifests.js';
import type { ServiceName } from './repo.js';
import {
  checkAutoscaling,
  checkGpuRollout,
  checkImageRefs,
  checkKedaCredentials,
  checkMemoryBudgets,
  parseMemoryQuantity,
} from './scaling-checks.js';
import { checkKedaTopics, topicPartitions } from './scaling-run.js';

const MiB = 1024 * 1024;
const labels = (svc: string) => ({ 'app.kubernetes.io/component': svc });

function workload(
  svc: string,
  opts: {
    kind?: string;
    memory?: string;
    config?: Record<string, string>;
    gpu?: boolean;
    strategy?: object;
    replicas?: number;
    env?: object[];
    image?: string;
  } = {},
): K8sObject[] {
  const name = `simstream-${svc}`;
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: labels(svc) }, data: opts.config ?? {} },
    {
      apiVersion: 'apps/v1',
      kind: opts.kind ?? 'Deployment',
      metadata: { name, labels: labels(svc) },
      spec: {
        replicas: opts.replicas,
        strategy: opts.strategy,
        template: {
          spec: {
            containers: [
              {
                name: svc,
                image: opts.image ?? `docker.io/simstream/${svc}:0.1.0`,
                envFrom: [{ configMapRef: { name } }],
                env: opts.env ?? [],
                resources: {
                  limits: {
                    memory: opts.memory ?? '1Gi',
                    ...(opts.gpu === true ? { 'nvidia.com/gpu': 1 } : {}),
                  },
                },
              },
            ],
          },
        },
      },
    },
  ];
}

// The services' own defaults (config.ts), as serviceDefaults() reads them from SERVICE_ENV.
const DEFAULTS = new Map<ServiceName, Map<string, unknown>>([
  [
    'ingestion',
    new Map<string, unknown>([
      ['INGEST_MAX_FRAME_BYTES', 256 * MiB],
      ['INGEST_MAX_DECODED_FRAME_BYTES', 512 * MiB],
      ['INGEST_MAX_INFLIGHT_BYTES', 512 * MiB],
    ]),
  ],
  [
    'gateway',
    new Map<string, unknown>([
      ['GATEWAY_MAX_UPLOAD_INFLIGHT_BYTES', 256 * MiB],
      ['GATEWAY_DECODE_WORKER_HEAP', 256 * MiB],
      ['GATEWAY_DECODE_WORKERS', 1],
    ]),
  ],
]);

describe('memory limits against the byte budgets', () => {
  it("fails ingestion's former 1.5 Gi: 256 + 320 + 512 + 512 MiB do not fit", () => {
    const problems = checkMemoryBudgets(
      workload('ingestion', { kind: 'StatefulSet', memory: '1536Mi' }),
      DEFAULTS,
      't',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /StatefulSet\/simstream-ingestion: memory limit 1536Mi \(1536Mi\) is below what its budgets can hold, 1600Mi/,
    );
    expect(problems[0]).toMatch(/decoded copy \(INGEST_MAX_DECODED_FRAME_BYTES\) 512Mi/);
  });

  it('passes 2Gi with the defaults, and reads env overrides (1GiB frames need more)', () => {
    expect(
      checkMemoryBudgets(workload('ingestion', { kind: 'StatefulSet', memory: '2Gi' }), DEFAULTS, 't'),
    ).toEqual([]);
    const big = workload('ingestion', {
      kind: 'StatefulSet',
      memory: '2Gi',
      config: { INGEST_MAX_FRAME_BYTES: '1GiB' },
    });
    expect(checkMemoryBudgets(big, DEFAULTS, 't')[0]).toMatch(
      /received message \(INGEST_MAX_FRAME_BYTES \+ gRPC slack\) 1280Mi/,
    );
  });

  it("fails the gateway's former 512 Mi: uploads held plus a decode thread's heap", () => {
    const problems = checkMemoryBudgets(workload('gateway', { memory: '512Mi' }), DEFAULTS, 't');
    expect(problems[0]).toMatch(/memory limit 512Mi .* below .* 768Mi = baseline 256Mi \+ uploads held/);
    const two = workload('gateway', { memory: '1Gi', config: { GATEWAY_DECODE_WORKERS: '2' } });
    expect(checkMemoryBudgets(two, DEFAULTS, 't')).toEqual([]); // 256 + 256 + 2 x 256 = 1024 MiB
    const heap = workload('gateway', {
      memory: '1Gi',
      config: { GATEWAY_DECODE_WORKERS: '2', GATEWAY_DECODE_WORKER_HEAP: '512MiB' },
    });
    expect(checkMemoryBudgets(heap, DEFAULTS, 't')[0]).toMatch(
      /1536Mi = .*decode threads \(2 x GATEWAY_DECODE_WORKER_HEAP\) 1024Mi/,
    );
  });

  it('parses Kubernetes memory quantities', () => {
    expect(parseMemoryQuantity('1536Mi')).toBe(1536 * MiB);
    expect(parseMemoryQuantity('1G')).toBe(1e9);
    expect(parseMemoryQuantity('lots')).toBeUndefined();
  });
});

const hpa = (svc: string, metrics: object[], minReplicas = 2): K8sObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: `simstream-${svc}`, labels: labels(svc) },
  spec: { scaleTargetRef: { kind: 'Deployment', name: `simstream-${svc}` }, minReplicas, metrics },
});

const scaledObject = (svc: string, maxReplicaCount: number, trigger: object): K8sObject => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: `simstream-${svc}`, labels: labels(svc) },
  spec: {
    scaleTargetRef: { kind: 'Deployment', name: `simstream-${svc}` },
    minReplicaCount: 2,
    maxReplicaCount,
    triggers: [trigger, { type: 'cpu', metricType: 'Utilization', metadata: { value: '75' } }],
  },
});

const lag = (extra: object = {}) => ({
  type: 'kafka',
  metadata: {
    bootstrapServers: 'k:9093',
    consumerGroup: 'simstream-neuromorphic',
    topic: 'simstream.frames.v1',
    lagThreshold: '2000',
    sasl: 'none',
    ...extra,
  },
});

describe('autoscaling', () => {
  const partitions = topicPartitions();
  it('refuses an HPA on memory', () => {
    const cpu = {
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
    };
    const mem = {
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
    };
    const objects = [...workload('ingestion'), hpa('ingestion', [cpu, mem])];
    expect(checkAutoscaling(objects, partitions, 't')).toEqual([
      expect.stringMatching(/HorizontalPodAutoscaler\/simstream-ingestion: scales on memory/),
    ]);
  });

  it('refuses more consumers than the topic has partitions', () => {
    const objects = [...workload('neuromorphic'), scaledObject('neuromorphic', 20, lag())];
    expect(checkAutoscaling(objects, partitions, 't')).toEqual([
      expect.stringMatching(/maxReplicaCount 20 exceeds the 12 partitions of simstream.frames.v1/),
    ]);
    expect(
      checkAutoscaling(
        [...workload('neuromorphic'), scaledObject('neuromorphic', 12, lag())],
        partitions,
        't',
      ),
    ).toEqual([]);
  });

  it('refuses an HPA beside the ScaledObject, an unknown topic and SASL without credentials', () => {
    const objects = [
      ...workload('neuromorphic'),
      scaledObject('neuromorphic', 12, lag({ topic: 'frames', sasl: 'scram_sha512' })),
      hpa('neuromorphic', []),
    ];
    const problems = checkAutoscaling(objects, partitions, 't').join('\n');
    expect(problems).toMatch(
      /Deployment\/simstream-neuromorphic is scaled by ScaledObject\/simstream-neuromorphic and HorizontalPodAutoscaler/,
    );
    expect(problems).toMatch(/lag of 'frames', which is not in the topic table/);
    expect(problems).toMatch(/SASL scram_sha512 but no authenticationRef/);
  });

  it("refuses KEDA logging in with other credentials than the pods'", () => {
    const pw = {
      name: 'KAFKA_SASL_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'simstream', key: 'password' } },
    };
    const auth: K8sObject = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'a' },
      spec: { secretTargetRef: [{ parameter: 'password', name: 'old-user', key: 'password' }] },
    };
    const objects = [
      ...workload('query', { env: [pw] }),
      scaledObject('query', 12, { ...lag({ sasl: 'scram_sha512' }), authenticationRef: { name: 'a' } }),
      auth,
    ];
    expect(checkKedaCredentials(objects, 't')).toEqual([
      expect.stringMatching(/KEDA logs in with old-user\/password, the pods with simstream\/password/),
    ]);
  });

  it('compares keda.topics with the topic table', () => {
    const values = {
      keda: {
        topics: {
          frames: { name: 'simstream.frames.v1', partitions: 24 },
          x: { name: 'nope', partitions: 1 },
        },
      },
    };
    expect(checkKedaTopics(values, partitions)).toEqual([
      'keda.topics.frames.partitions is 24, the topic table says 12',
      "keda.topics.x: 'nope' is not in libs/kafka/src/topics.ts",
    ]);
  });
});

describe('GPU rollouts and images', () => {
  it('refuses a surge on a GPU pool and a PDB over one GPU pod', () => {
    const objects = [
      ...workload('neuromorphic', {
        gpu: true,
        strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
      hpa('neuromorphic', [], 1),
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'p', labels: labels('neuromorphic') },
      },
    ];
    const problems = checkGpuRollout(objects, 't').join('\n');
    expect(problems).toMatch(/maxSurge 1: a full GPU pool stalls the rollout/);
    expect(problems).toMatch(/maxUnavailable 0: with maxSurge 0 nothing can roll/);
    expect(problems).toMatch(/a PodDisruptionBudget over as few as 1 pod: a node drain evicts the only one/);
    const fixed = [
      ...workload('neuromorphic', {
        gpu: true,
        strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      }),
      hpa('neuromorphic', [], 2),
    ];
    expect(checkGpuRollout(fixed, 't')).toEqual([]);
  });

  it('refuses a malformed digest', () => {
    expect(
      checkImageRefs(workload('query', { image: 'r.example.com/simstream/query@sha256:abc' }), 't'),
    ).toEqual([expect.stringMatching(/is not <repository>@sha256:<64 hex>/)]);
    const ok = `r.example.com:5000/simstream/query@sha256:${'a'.repeat(64)}`;
    expect(checkImageRefs(workload('query', { image: ok }), 't')).toEqual([]);
  });
});
