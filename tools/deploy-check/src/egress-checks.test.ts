import { describe, expect, it } from 'vitest';
import { checkEgress, checkKafkaCredentials } from './egress-checks.js';
import type { K8sObject } from './manifests.js';

const release = { 'app.kubernetes.io/name': 'simstream', 'app.kubernetes.io/instance': 'simstream' };
const labels = (component: string) => ({ ...release, 'app.kubernetes.io/component': component });

function workload(component: string, ports: Record<string, number>, kafkaSecret?: string): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: component === 'ingestion' ? 'StatefulSet' : 'Deployment',
    metadata: { name: `simstream-${component}` },
    spec: {
      template: {
        metadata: { labels: labels(component) },
        spec: {
          containers: [
            {
              name: component,
              ports: Object.entries(ports).map(([name, containerPort]) => ({ name, containerPort })),
              env:
                kafkaSecret === undefined
                  ? []
                  : [
                      {
                        name: 'KAFKA_SASL_PASSWORD',
                        valueFrom: { secretKeyRef: { name: kafkaSecret, key: 'password' } },
                      },
                    ],
            },
          ],
        },
      },
    },
  };
}

function policy(name: string, selector: Record<string, string>, egress: unknown[]): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name },
    spec: { podSelector: { matchLabels: selector }, policyTypes: ['Egress'], egress },
  };
}

const dns = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ port: 53 }],
};
const toPods = (component: string, port: number) => ({
  to: [{ podSelector: { matchLabels: labels(component) } }],
  ports: [{ port, protocol: 'TCP' }],
});

/** The chart's shape: a default deny, a policy per component, the gateway's gRPC peers. */
function release3(): K8sObject[] {
  return [
    workload('gateway', { http: 8080 }),
    workload('query', { grpc: 50052 }, 'simstream-query'),
    workload('ingestion', { grpc: 50051, 'grpc-internal': 50054 }, 'simstream-ingestion'),
    policy('deny', release, []),
    policy('gateway-egress', labels('gateway'), [dns, toPods('query', 50052), toPods('ingestion', 50054)]),
    policy('query-egress', labels('query'), [dns]),
    policy('ingestion-egress', labels('ingestion'), [dns, toPods('query', 50052)]),
  ];
}

describe('checkEgress', () => {
  it('accepts every pod behind a default deny with named peers, and the gRPC calls admitted', () => {
    expect(checkEgress(release3(), 'default')).toEqual([]);
  });

  it('refuses an open rule, a pod without egress policy, a missing default deny and an unadmitted gRPC call', () => {
    const objects = release3().filter(
      (o) => o.metadata.name !== 'query-egress' && o.metadata.name !== 'deny',
    );
    objects.push(
      policy('ingestion-open', labels('ingestion'), [
        { ports: [{ port: 443 }] },
        { to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
      ]),
    );
    const gateway = objects.find((o) => o.metadata.name === 'gateway-egress')!;
    (gateway.spec as { egress: unknown[] }).egress.splice(1, 1); // no longer reaches query
    expect(checkEgress(objects, 'v')).toEqual([
      "v: NetworkPolicy/ingestion-open egress rule 0 has no 'to': it admits every destination",
      'v: NetworkPolicy/ingestion-open egress rule 1 has no ports: it admits every port',
      'v: Deployment/simstream-gateway pods have no default-deny egress policy',
      'v: Deployment/simstream-gateway calls query on port 50052, which its egress policies do not admit',
      'v: Deployment/simstream-query pods are selected by no egress NetworkPolicy (they may connect anywhere)',
      'v: StatefulSet/simstream-ingestion pods have no default-deny egress policy',
    ]);
  });
});

describe('checkKafkaCredentials', () => {
  it('accepts one Secret per service and refuses a shared one (the old kafka.sasl.existingSecret)', () => {
    expect(checkKafkaCredentials(release3(), 'default')).toEqual([]);
    const shared = [workload('query', {}, 'simstream'), workload('ingestion', {}, 'simstream')];
    expect(checkKafkaCredentials(shared, 'old')).toEqual([
      'old: simstream-query, simstream-ingestion share the Kafka credentials of Secret simstream (each needs its own user)',
    ]);
  });
});

describe('checkEgress, Postgres through PgBouncer', () => {
  const withDb = (w: K8sObject): K8sObject => {
    const c = (w.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec
      .containers[0]!;
    c.env.push({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'pg', key: 'pooled' } } });
    return w;
  };
  const pooled = (): K8sObject[] => [
    withDb(workload('query', { grpc: 50052 })),
    workload('pgbouncer', { postgres: 6432 }),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'simstream-pgbouncer' },
      data: { 'pgbouncer.ini': '[databases]\nsimstream = host=pg port=5432 dbname=simstream\n' },
    },
    policy('deny', release, []),
    policy('query-egress', labels('query'), [dns, toPods('pgbouncer', 6432)]),
    policy('pgbouncer-egress', labels('pgbouncer'), [
      dns,
      {
        to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } }],
        ports: [{ port: 5432 }],
      },
    ]),
  ];

  it('accepts services that reach PgBouncer and PgBouncer that reaches Postgres', () => {
    expect(checkEgress(pooled(), 'p')).toEqual([]);
  });

  it('refuses a service that goes around the pooler and a pooler cut off from Postgres', () => {
    const objects = pooled().map((o) =>
      o.metadata.name === 'query-egress'
        ? policy('query-egress', labels('query'), [
            dns,
            {
              to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } }],
              ports: [{ port: 5432 }],
            },
          ])
        : o.metadata.name === 'pgbouncer-egress'
          ? policy('pgbouncer-egress', labels('pgbouncer'), [dns])
          : o,
    );
    expect(checkEgress(objects, 'p')).toEqual([
      'p: Deployment/simstream-query calls pgbouncer on port 6432, which its egress policies do not admit',
      'p: Deployment/simstream-pgbouncer pools connections to Postgres on port 5432, which its egress policies do not admit',
    ]);
  });
});
