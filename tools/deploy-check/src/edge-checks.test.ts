import { describe, expect, it } from 'vitest';
import {
  checkGatewayEdge,
  checkGrpcBalancing,
  checkIngestionEdge,
  nginxSize,
  type Envs,
} from './edge-checks.js';
import type { K8sObject } from './manifests.js';
import type { ServiceName } from './repo.js';

const MIB = 1024 * 1024;
const labels = (svc: string) => ({ 'app.kubernetes.io/component': svc });

/** The services' schema defaults the checks fall back on (as loadServiceEnv reads them). */
const envs: Envs = new Map<
  ServiceName,
  {
    service: ServiceName;
    source: 'schema';
    known: Set<string>;
    required: Set<string>;
    defaults: Map<string, unknown>;
  }
>([
  [
    'ingestion',
    spec('ingestion', {
      INGEST_MAX_FRAME_BYTES: 256 * MIB,
      INGEST_PUBLIC_MAX_CONNECTION_AGE: 300_000,
      INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE: 86_400_000,
      GRPC_MAX_CONNECTION_AGE: 300_000,
    }),
  ],
  ['query', spec('query', { GRPC_MAX_CONNECTION_AGE: 300_000, GRPC_MAX_CONNECTION_AGE_GRACE: 86_400_000 })],
  ['quantum', spec('quantum', { GRPC_MAX_CONNECTION_AGE: 300_000 })],
  [
    'gateway',
    spec('gateway', {
      GATEWAY_MAX_BODY_BYTES: 64 * MIB,
      GATEWAY_MAX_JSON_FRAMES_BYTES: 16 * MIB,
      GATEWAY_MAX_REQUEST_BYTES: 4 * MIB,
    }),
  ],
]);

function spec(service: ServiceName, defaults: Record<string, unknown>) {
  return {
    service,
    source: 'schema' as const,
    known: new Set(Object.keys(defaults)),
    required: new Set<string>(),
    defaults: new Map(Object.entries(defaults)),
  };
}

function workload(svc: string, config: Record<string, string>): K8sObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${svc}`, labels: labels(svc) },
      data: config,
    },
    {
      apiVersion: 'apps/v1',
      kind: svc === 'ingestion' ? 'StatefulSet' : 'Deployment',
      metadata: { name: `simstream-${svc}`, labels: labels(svc) },
      spec: {
        template: {
          spec: { containers: [{ name: svc, envFrom: [{ configMapRef: { name: `cm-${svc}` } }] }] },
        },
      },
    },
  ];
}

function service(
  name: string,
  svc: string,
  port: number,
  headless: boolean,
  extra: Partial<K8sObject['metadata']> = {},
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { ...labels(svc), ...(extra.labels ?? {}) }, annotations: extra.annotations },
    spec: { ...(headless ? { clusterIP: 'None' } : {}), ports: [{ name: 'grpc', port }] },
  };
}

const PUBLIC = service('simstream-ingestion-public', 'ingestion', 50051, false, {
  labels: { 'simstream.dev/public': 'true' },
  annotations: { 'simstream.dev/stream-lifetime': '12h' },
});

/** The chart's rendering in ingress mode, as edge-checks sees it (trimmed to what it reads). */
function rendered(
  annotations: Record<string, string> = {},
  ingestionEnv: Record<string, string> = {},
): K8sObject[] {
  const good = {
    'nginx.ingress.kubernetes.io/backend-protocol': 'GRPCS',
    'nginx.ingress.kubernetes.io/proxy-body-size': '0',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': '43200',
    'nginx.ingress.kubernetes.io/proxy-send-timeout': '43200',
    'nginx.ingress.kubernetes.io/client-body-timeout': '43200',
    'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
    'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'simstream/simstream-ca',
  };
  return [
    PUBLIC,
    ...workload('ingestion', { INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE: '43200s', ...ingestionEnv }),
    ...workload('query', { GRPC_MAX_CONNECTION_AGE_GRACE: '86400s' }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'simstream-ingestion',
        labels: labels('ingestion'),
        annotations: { ...good, ...annotations },
      },
      spec: {
        tls: [{ secretName: 'ingest-tls', hosts: ['ingest.example.com'] }],
        rules: [
          {
            host: 'ingest.example.com',
            http: { paths: [{ backend: { service: { name: 'simstream-ingestion-public' } } }] },
          },
        ],
      },
    },
  ];
}

describe('nginxSize', () => {
  it('reads nginx sizes, 0 as no limit, absent as the 1m default', () => {
    expect(nginxSize('0')).toBe(Infinity);
    expect(nginxSize('64m')).toBe(64 * MIB);
    expect(nginxSize('68157440')).toBe(68157440);
    expect(nginxSize(undefined)).toBe(MIB);
    expect(nginxSize('lots')).toBeUndefined();
  });
});

describe('checkIngestionEdge', () => {
  it('accepts the chart’s gRPC Ingress (GRPCS verified, no body limit, timeouts of the stream lifetime)', () => {
    expect(checkIngestionEdge(rendered(), envs, 'set')).toEqual([]);
  });
  it('refuses a body size below the largest frame message, and any finite one', () => {
    expect(
      checkIngestionEdge(rendered({ 'nginx.ingress.kubernetes.io/proxy-body-size': '64m' }), envs, 'set'),
    ).toEqual([
      "set: Ingress/simstream-ingestion: body size 64 MiB < ingestion's largest frame message (320 MiB, from INGEST_MAX_FRAME_BYTES)",
    ]);
    // 512 MiB frames (the service's own setting) need more than 320 MiB.
    expect(
      checkIngestionEdge(
        rendered(
          { 'nginx.ingress.kubernetes.io/proxy-body-size': '400m' },
          { INGEST_MAX_FRAME_BYTES: '512MiB' },
        ),
        envs,
        'set',
      ),
    ).toEqual([
      "set: Ingress/simstream-ingestion: body size 400 MiB < ingestion's largest frame message (640 MiB, from INGEST_MAX_FRAME_BYTES)",
    ]);
    expect(
      checkIngestionEdge(rendered({ 'nginx.ingress.kubernetes.io/proxy-body-size': '1g' }), envs, 'set'),
    ).toEqual([
      'set: Ingress/simstream-ingestion: proxy-body-size 1g is counted against a whole StreamFrames stream by nginx: must be 0 (no limit)',
    ]);
  });
  it('refuses stream timeouts shorter than the stream lifetime, including the 60 s defaults', () => {
    const objects = rendered({ 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' });
    expect(checkIngestionEdge(objects, envs, 'set')).toEqual([
      "set: Ingress/simstream-ingestion: stream timeout proxy-read-timeout 3600 s < the stream lifetime (43200 s): a paused simulation's stream would be cut",
    ]);
    const ing = rendered()[5]!;
    const { 'nginx.ingress.kubernetes.io/client-body-timeout': _, ...rest } = ing.metadata.annotations!;
    const without = [...rendered().slice(0, 5), { ...ing, metadata: { ...ing.metadata, annotations: rest } }];
    expect(checkIngestionEdge(without, envs, 'set')).toEqual([
      "set: Ingress/simstream-ingestion: stream timeout client-body-timeout 60 s < the stream lifetime (43200 s): a paused simulation's stream would be cut",
    ]);
  });
  it('refuses exposure without TLS to the pods, unverified TLS, and no TLS at the edge', () => {
    expect(
      checkIngestionEdge(rendered({ 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' }), envs, 'set'),
    ).toEqual([
      'set: Ingress/simstream-ingestion exposes ingestion without TLS to the pods (backend-protocol GRPC, not GRPCS)',
    ]);
    expect(
      checkIngestionEdge(rendered({ 'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'off' }), envs, 'set'),
    ).toEqual([
      'set: Ingress/simstream-ingestion: TLS to the pods is not verified (proxy-ssl-verify on and proxy-ssl-secret needed)',
    ]);
    const noTls = rendered().map((o) =>
      o.kind === 'Ingress' ? { ...o, spec: { ...(o.spec as object), tls: [] } } : o,
    );
    expect(checkIngestionEdge(noTls, envs, 'set')).toEqual([
      'set: Ingress/simstream-ingestion: no TLS at the edge for ingest.example.com',
    ]);
  });
  it('refuses a GRPCRoute without a BackendTLSPolicy that verifies the pods', () => {
    const route: K8sObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'simstream-ingestion' },
      spec: {
        hostnames: ['ingest.example.com'],
        rules: [{ backendRefs: [{ name: 'simstream-ingestion-public', port: 50051 }] }],
      },
    };
    const base = rendered().filter((o) => o.kind !== 'Ingress');
    expect(checkIngestionEdge([...base, route], envs, 'set')).toEqual([
      'set: GRPCRoute/simstream-ingestion exposes ingestion without TLS to the pods: no BackendTLSPolicy for Service/simstream-ingestion-public',
    ]);
    const policy = (validation: object): K8sObject => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { name: 'simstream-ingestion' },
      spec: { targetRefs: [{ group: '', kind: 'Service', name: 'simstream-ingestion-public' }], validation },
    });
    expect(checkIngestionEdge([...base, route, policy({ hostname: 'x' })], envs, 'set')).toEqual([
      "set: GRPCRoute/simstream-ingestion: BackendTLSPolicy/simstream-ingestion does not verify the pods' certificate",
    ]);
    const ok = policy({
      hostname: 'simstream-ingestion-public.simstream.svc',
      caCertificateRefs: [{ kind: 'ConfigMap', name: 'ca' }],
    });
    expect(checkIngestionEdge([...base, route, ok], envs, 'set')).toEqual([]);
  });
  it('refuses connection-age graces shorter than the stream lifetime (ingestion public port, query)', () => {
    const objects = rendered({}, { INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE: '1h' }).map((o) =>
      o.kind === 'ConfigMap' && o.metadata.name === 'cm-query'
        ? { ...o, data: { GRPC_MAX_CONNECTION_AGE_GRACE: '2h' } }
        : o,
    );
    expect(checkIngestionEdge(objects, envs, 'set')).toEqual([
      'set: ingestion INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE (3600 s) is shorter than the stream lifetime (43200 s): its StreamFrames streams would be cut',
      "set: query GRPC_MAX_CONNECTION_AGE_GRACE (7200 s) is shorter than the stream lifetime (43200 s): ingestion's result tails, which follow a stream would be cut",
    ]);
  });
});

describe('checkGatewayEdge', () => {
  const gatewayIngress = (annotations: Record<string, string>): K8sObject[] => [
    service('simstream-gateway', 'gateway', 8080, false),
    ...workload('gateway', {}),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'simstream-gateway', annotations },
      spec: { rules: [{ http: { paths: [{ backend: { service: { name: 'simstream-gateway' } } }] } }] },
    },
  ];
  it('wants a body size of at least the gateway’s largest upload (the nginx default is 1m)', () => {
    expect(
      checkGatewayEdge(
        gatewayIngress({ 'nginx.ingress.kubernetes.io/proxy-body-size': '68157440' }),
        envs,
        'set',
      ),
    ).toEqual([]);
    expect(checkGatewayEdge(gatewayIngress({}), envs, 'set')).toEqual([
      "set: Ingress/simstream-gateway: body size 1 MiB (nginx default) < the gateway's largest upload (64 MiB, GATEWAY_MAX_BODY_BYTES)",
    ]);
  });
  it('refuses an HTTPRoute request timeout (it would end every event stream)', () => {
    const route: K8sObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'simstream-gateway' },
      spec: { rules: [{ backendRefs: [{ name: 'simstream-gateway' }], timeouts: { request: '30s' } }] },
    };
    expect(
      checkGatewayEdge([service('simstream-gateway', 'gateway', 8080, false), route], envs, 'set'),
    ).toEqual([
      'set: HTTPRoute/simstream-gateway: request timeout 30s ends every Server-Sent Events stream after it',
    ]);
  });
});

describe('checkGrpcBalancing', () => {
  const cluster = (
    gatewayEnv: Record<string, string>,
    queryEnv: Record<string, string> = {},
  ): K8sObject[] => [
    ...workload('gateway', {
      QUERY_ADDRESS: 'dns:///simstream-query-headless:50052',
      INGESTION_ADDRESS: 'dns:///simstream-ingestion-headless:50054',
      QUANTUM_ADDRESS: 'dns:///simstream-quantum-headless:50053',
      ...gatewayEnv,
    }),
    ...workload('ingestion', { QUERY_ADDRESS: 'dns:///simstream-query-headless:50052' }),
    ...workload('query', queryEnv),
    ...workload('quantum', {}),
    service('simstream-query', 'query', 50052, false),
    service('simstream-query-headless', 'query', 50052, true),
    {
      ...service('simstream-ingestion-headless', 'ingestion', 50051, true),
      spec: { clusterIP: 'None', ports: [{ port: 50051 }, { port: 50054 }] },
    },
    service('simstream-quantum-headless', 'quantum', 50053, true),
  ];
  it('accepts dns:/// targets on headless Services and aged connections', () => {
    expect(checkGrpcBalancing(cluster({}), envs, 'set')).toEqual([]);
  });
  it('refuses a ClusterIP target, a host:port target and a server without a connection age', () => {
    expect(
      checkGrpcBalancing(cluster({ QUERY_ADDRESS: 'dns:///simstream-query:50052' }), envs, 'set'),
    ).toEqual([
      'set: gateway QUERY_ADDRESS=dns:///simstream-query:50052 targets a ClusterIP Service (one virtual address: every call on one pod), not a headless one',
    ]);
    expect(checkGrpcBalancing(cluster({ QUANTUM_ADDRESS: 'simstream-quantum:50053' }), envs, 'set')).toEqual([
      'set: gateway QUANTUM_ADDRESS=simstream-quantum:50053 is not a dns:/// target: the client would keep one connection to one pod',
    ]);
    expect(checkGrpcBalancing(cluster({}, { GRPC_MAX_CONNECTION_AGE: '0s' }), envs, 'set')).toEqual([
      'set: query has no max connection age (GRPC_MAX_CONNECTION_AGE): clients keep their connections and new replicas get no calls',
    ]);
  });
  it('refuses a certificate that lacks the headless name the client verifies', () => {
    const cert: K8sObject = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'simstream-quantum', labels: labels('quantum') },
      spec: { dnsNames: ['simstream-quantum'] },
    };
    expect(checkGrpcBalancing([...cluster({}), cert], envs, 'set')).toEqual([
      'set: gateway QUANTUM_ADDRESS=dns:///simstream-quantum-headless:50053: Certificate/simstream-quantum lacks simstream-quantum-headless, the name the client verifies',
    ]);
  });
});
