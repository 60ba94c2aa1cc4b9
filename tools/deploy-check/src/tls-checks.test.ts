import { describe, expect, it } from 'vitest';
import { checkComposeTls } from './image-checks.js';
import type { K8sObject } from './manifests.js';
import { checkCertificates, checkExposure, checkGrpcTls } from './tls-checks.js';

const labels = (svc: string) => ({ 'app.kubernetes.io/component': svc });

function workload(svc: string, config: Record<string, string>, secretMount = true): K8sObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${svc}`, labels: labels(svc) },
      data: config,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: svc, labels: labels(svc) },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: svc,
                envFrom: [{ configMapRef: { name: `cm-${svc}` } }],
                volumeMounts: secretMount
                  ? [{ name: 'grpc-tls', mountPath: '/etc/simstream/tls', readOnly: true }]
                  : [],
              },
            ],
            volumes: [{ name: 'grpc-tls', secret: { secretName: `${svc}-tls` } }],
          },
        },
      },
    },
  ];
}

const TLS = {
  GRPC_TLS_CA_FILE: '/etc/simstream/tls/ca.crt',
  GRPC_TLS_CERT_FILE: '/etc/simstream/tls/tls.crt',
  GRPC_TLS_KEY_FILE: '/etc/simstream/tls/tls.key',
};

describe('checkGrpcTls', () => {
  it('accepts a workload with its certificate Secret mounted read-only', () => {
    expect(checkGrpcTls(workload('query', TLS), 'set', false)).toEqual([]);
  });
  it('refuses GRPC_INSECURE=true, missing files and files outside a Secret', () => {
    expect(checkGrpcTls(workload('query', { ...TLS, GRPC_INSECURE: 'true' }), 'set', false)).toEqual([
      'set: Deployment/query: GRPC_INSECURE=true (plaintext gRPC, no service identities)',
    ]);
    expect(
      checkGrpcTls(workload('gateway', { GRPC_TLS_CA_FILE: TLS.GRPC_TLS_CA_FILE }), 'set', false),
    ).toEqual([
      'set: Deployment/gateway: GRPC_TLS_CERT_FILE is not set',
      'set: Deployment/gateway: GRPC_TLS_KEY_FILE is not set',
    ]);
    expect(checkGrpcTls(workload('quantum', TLS, false), 'set', false)).toHaveLength(3);
  });
  it('ignores services without gRPC, and wants GRPC_INSECURE where TLS is off on purpose', () => {
    expect(checkGrpcTls(workload('neuromorphic', {}), 'set', false)).toEqual([]);
    expect(checkGrpcTls(workload('query', TLS), 'insecure', true)).toEqual([
      'insecure: Deployment/query: tls.insecure but GRPC_INSECURE is not true',
    ]);
  });
});

function policy(svc: string, ingress: unknown[]): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: svc, labels: labels(svc) },
    spec: { ingress },
  };
}
const fromGateway = [{ podSelector: { matchLabels: labels('gateway') } }];

describe('checkExposure', () => {
  it('lets only the public ports admit any source, and internal ports only the gateway', () => {
    expect(
      checkExposure(
        [
          policy('ingestion', [
            { ports: [{ port: 'grpc' }] },
            { ports: [{ port: 'grpc-internal' }], from: fromGateway },
            { ports: [{ port: 'ops' }], from: [{ namespaceSelector: {} }] },
          ]),
          policy('gateway', [{ ports: [{ port: 'http' }] }]),
        ],
        'set',
      ),
    ).toEqual([]);
    expect(
      checkExposure(
        [
          policy('query', [{ ports: [{ port: 'grpc' }] }]),
          policy('quantum', [
            { ports: [{ port: 'grpc' }], from: [...fromGateway, { namespaceSelector: {} }] },
          ]),
        ],
        'set',
      ),
    ).toEqual([
      'set: NetworkPolicy/query admits any source to grpc',
      'set: NetworkPolicy/query: port grpc admits more than the pods of gateway, ingestion',
      'set: NetworkPolicy/quantum: port grpc admits more than the pods of gateway',
    ]);
  });
  it("admits ingestion's pods to query (analysis events) and nowhere else", () => {
    const fromIngestion = [{ podSelector: { matchLabels: labels('ingestion') } }];
    expect(
      checkExposure(
        [
          policy('query', [{ ports: [{ port: 'grpc' }], from: [...fromGateway, ...fromIngestion] }]),
          policy('quantum', [{ ports: [{ port: 'grpc' }], from: [...fromGateway, ...fromIngestion] }]),
        ],
        'set',
      ),
    ).toEqual(['set: NetworkPolicy/quantum: port grpc admits more than the pods of gateway']);
  });
  it('exposes outside the cluster only the public ports', () => {
    const service = (name: string, svc: string, type: string, ports: string[], pub = false): K8sObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: { ...labels(svc), ...(pub ? { 'simstream.dev/public': 'true' } : {}) } },
      spec: { type, ports: ports.map((name) => ({ name })) },
    });
    expect(checkExposure([service('i-pub', 'ingestion', 'LoadBalancer', ['grpc'], true)], 's')).toEqual([]);
    expect(
      checkExposure(
        [
          service('i', 'ingestion', 'LoadBalancer', ['grpc', 'grpc-internal']),
          service('i-pub', 'ingestion', 'LoadBalancer', ['grpc', 'grpc-internal'], true),
          service('q', 'query', 'NodePort', ['grpc']),
        ],
        's',
      ),
    ).toEqual([
      's: Service/i is exposed as LoadBalancer',
      's: Service/i exposes grpc-internal outside the cluster',
      's: Service/i-pub is exposed as LoadBalancer with ports other than grpc: grpc, grpc-internal',
      's: Service/i-pub exposes grpc-internal outside the cluster',
      's: Service/q is exposed as NodePort',
    ]);
  });
});

describe('checkCertificates', () => {
  const cert = (spec: Record<string, unknown>): K8sObject => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'query', labels: labels('query') },
    spec: {
      secretName: 'query-tls',
      commonName: 'query',
      dnsNames: ['query', 'query.ns.svc', 'query.ns.svc.cluster.local'],
      usages: ['digital signature', 'server auth', 'client auth'],
      privateKey: { algorithm: 'ECDSA', size: 256 },
      ...spec,
    },
  });
  const svc: K8sObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'query', labels: labels('query') },
    spec: {},
  };
  it('accepts a certificate naming the service, with both usages, mounted by its workload', () => {
    expect(
      checkCertificates([...workload('query', TLS), svc, cert({})], 's', 'ns', { required: true }),
    ).toEqual([]);
  });
  it('names what is wrong', () => {
    expect(
      checkCertificates(
        [
          ...workload('query', TLS),
          svc,
          cert({ commonName: 'gateway', usages: ['server auth'], secretName: 'x', dnsNames: ['query'] }),
        ],
        's',
        'ns',
        { required: true },
      ),
    ).toEqual([
      's: Certificate/query: commonName is gateway, not the identity query',
      's: Certificate/query: usages lack client auth',
      's: Certificate/query: dnsNames lack query.ns.svc',
      's: Certificate/query: dnsNames lack query.ns.svc.cluster.local',
      's: Certificate/query: its Secret x is not mounted by Deployment/query',
    ]);
    expect(checkCertificates(workload('gateway', TLS), 's', 'ns', { required: true })).toEqual([
      's: no Certificate for gateway',
    ]);
  });
});

describe('checkComposeTls', () => {
  it('wants the three files on a read-only volume and no GRPC_INSECURE', () => {
    const environment = {
      GRPC_TLS_CA_FILE: '/etc/simstream/tls/ca.crt',
      GRPC_TLS_CERT_FILE: '/etc/simstream/tls/query.crt',
      GRPC_TLS_KEY_FILE: '/etc/simstream/tls/query.key',
    };
    expect(checkComposeTls('query', { environment, volumes: ['certs:/etc/simstream/tls:ro'] })).toEqual([]);
    expect(
      checkComposeTls('query', { environment, volumes: [{ target: '/etc/simstream/tls', read_only: true }] }),
    ).toEqual([]);
    expect(
      checkComposeTls('query', {
        environment: { ...environment, GRPC_INSECURE: 'true' },
        volumes: ['certs:/etc/simstream/tls'],
      }),
    ).toEqual([
      'query sets GRPC_INSECURE=true',
      'query: /etc/simstream/tls is not mounted read-only',
      'query: /etc/simstream/tls is not mounted read-only',
      'query: /etc/simstream/tls is not mounted read-only',
    ]);
  });
});
