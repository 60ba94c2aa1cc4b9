/**
 * The edge checks (edge-checks.ts) run on the chart: on every value set, on what each exposure
 * value set is for, and on wrong values, which must be caught with the specific problem (so a
 * check that stopped working fails here, not in production).
 */
import { runProgram } from '@simstream/toolchain';
import { templateArgs, valueSets } from './chart-checks.js';
import type { Check } from './check.js';
import { checkGatewayEdge, checkGrpcBalancing, checkIngestionEdge, type Envs } from './edge-checks.js';
import { parseManifests, type K8sObject } from './manifests.js';
import { componentOf } from './tls-checks.js';
import { arrayAt, stringAt } from './walk.js';

export function edgeProblems(objects: readonly K8sObject[], envs: Envs, label: string): string[] {
  return [
    ...checkIngestionEdge(objects, envs, label),
    ...checkGatewayEdge(objects, envs, label),
    ...checkGrpcBalancing(objects, envs, label),
  ];
}

/** What each exposure value set is for must show in its rendering. */
export function checkEdgeIntent(set: string, objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const say = (msg: string) => problems.push(`${set}: ${msg}`);
  const has = (kind: string) => objects.some((o) => o.kind === kind);
  const publicPeers = () => {
    const np = objects.find((o) => o.kind === 'NetworkPolicy' && componentOf(o) === 'ingestion');
    const rule = arrayAt(np, 'spec', 'ingress').find((r) =>
      arrayAt(r, 'ports').some((p) => stringAt(p, 'port') === 'grpc'),
    );
    return arrayAt(rule, 'from').map((p) =>
      stringAt(p, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name'),
    );
  };
  const expect = (kinds: string[], edgeNamespace: string) => {
    for (const kind of kinds) if (!has(kind)) say(`no ${kind}`);
    if (!publicPeers().includes(edgeNamespace))
      say(`ingestion's public port does not admit the edge namespace ${edgeNamespace}`);
  };
  if (set === 'ingestion-grpcroute') {
    expect(['GRPCRoute', 'BackendTLSPolicy', 'HTTPRoute'], 'envoy-gateway-system');
    const cert = objects.find((o) => o.kind === 'Certificate' && componentOf(o) === 'ingestion');
    if (!arrayAt(cert, 'spec', 'dnsNames').includes('ingest.simstream.example.com'))
      say("ingestion's certificate lacks its public host name");
  } else if (set === 'ingestion-tlsroute') expect(['TLSRoute'], 'gateway-system');
  else if (set === 'ingestion-ingress') {
    expect(['Ingress'], 'ingress-nginx');
    if (objects.some((o) => o.kind === 'GRPCRoute' || o.kind === 'TLSRoute'))
      say('a Gateway API route as well');
  } else if (set === 'default' && (has('GRPCRoute') || has('TLSRoute') || has('HTTPRoute')))
    say('a Gateway API route although exposure is off by default');
  return problems;
}

const INGRESS_MODE = [
  '--set',
  'services.ingestion.expose.mode=ingress',
  '--set',
  'services.ingestion.publicHostnames[0]=ingest.example.com',
  '--set',
  'services.ingestion.expose.ingress.tls[0].secretName=ingest-tls',
  '--set',
  'services.ingestion.expose.ingress.upstreamCASecret=simstream/simstream-ca',
];
const nginx = (key: string, value: string) => [
  '--set-string',
  `services.ingestion.expose.ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/${key}=${value}`,
];

/** Wrong values the chart renders, and the problem the edge checks must report for each. */
export const WRONG_EDGES: readonly { set: string[]; expect: RegExp }[] = [
  {
    set: [...INGRESS_MODE, ...nginx('proxy-body-size', '64m')],
    expect: /body size 64 MiB < ingestion's largest frame message \(320 MiB/,
  },
  { set: [...INGRESS_MODE, ...nginx('backend-protocol', 'GRPC')], expect: /without TLS to the pods/ },
  {
    set: [...INGRESS_MODE, ...nginx('proxy-read-timeout', '3600')],
    expect: /stream timeout proxy-read-timeout 3600 s < the stream lifetime \(43200 s\)/,
  },
  { set: ['--set', 'grpcConnections.maxAge=0s'], expect: /query has no max connection age/ },
  {
    set: ['--set', 'services.ingestion.env.INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE=1h'],
    expect: /INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE \(3600 s\) is shorter than the stream lifetime/,
  },
  {
    set: ['--set', 'services.gateway.env.QUERY_ADDRESS=simstream-query:50052'],
    expect: /gateway QUERY_ADDRESS=simstream-query:50052 is not a dns:\/\/\/ target/,
  },
  {
    set: ['--set', 'services.gateway.env.QUANTUM_ADDRESS=dns:///simstream-quantum:50053'],
    expect: /targets a ClusterIP Service/,
  },
  {
    set: [
      '--set',
      'ingress.enabled=true',
      '--set',
      'ingress.hosts[0]=simstream.example.com',
      '--set-string',
      'ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-body-size=1m',
    ],
    expect: /body size 1 MiB < the gateway's largest upload \(64 MiB, GATEWAY_MAX_BODY_BYTES\)/,
  },
];

export function edgeChecks(helmBin: string, chartDir: string, envs: Envs): Check[] {
  const render = async (args: string[]) => {
    const r = await runProgram(helmBin, args);
    if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr.trim()}`);
    return parseManifests(r.stdout, 'edge');
  };
  return [
    {
      name: 'edges: ingestion exposure, gateway body size, gRPC balancing (every value set)',
      run: async () => {
        const problems: string[] = [];
        for (const set of valueSets(chartDir)) {
          const objects = await render(templateArgs(chartDir, set));
          problems.push(...edgeProblems(objects, envs, set.name), ...checkEdgeIntent(set.name, objects));
        }
        return problems;
      },
    },
    {
      name: 'edges: wrong edge values are caught with the specific problem',
      run: async () => {
        const problems: string[] = [];
        for (const wrong of WRONG_EDGES) {
          const objects = await render(
            templateArgs(chartDir, { name: 'default', apiVersions: [] }, wrong.set),
          );
          const found = edgeProblems(objects, envs, 'wrong');
          if (!found.some((p) => wrong.expect.test(p)))
            problems.push(
              `${wrong.set.join(' ')}: not caught as ${wrong.expect} (found: ${found.join('; ') || 'nothing'})`,
            );
        }
        return problems;
      },
    },
  ];
}
