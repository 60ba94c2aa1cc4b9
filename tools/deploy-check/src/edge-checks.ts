/**
 * The edges of the rendered chart, held against the services' own configuration: ingestion's
 * public port reached from outside (GRPCRoute, TLSRoute or a gRPC Ingress) keeps TLS to the pods,
 * admits bodies and streams as large and as long as ingestion serves them; the gateway's Ingress
 * admits its largest upload; in-cluster gRPC clients dial headless Services (round_robin over
 * every pod) and every gRPC server ages its connections, with a grace that outlasts the longest
 * stream. Pure: objects and the services' env schemas in, problems out.
 */
import { parseBytes, parseDuration } from '@simstream/config';
import { describeObject, type K8sObject } from './manifests.js';
import type { ServiceName } from './repo.js';
import type { ServiceEnvSpec } from './service-env.js';
import { componentOf, containerEnvValues } from './tls-checks.js';
import { arrayAt, at, stringAt } from './walk.js';

export type Envs = ReadonlyMap<ServiceName, ServiceEnvSpec>;

const NGINX = 'nginx.ingress.kubernetes.io/';
/** ingress-nginx's defaults when an annotation is absent: 1m bodies, 60 s timeouts. */
const NGINX_DEFAULT_BODY = 1024 * 1024;
const NGINX_DEFAULT_TIMEOUT_S = 60;
const LIFETIME = 'simstream.dev/stream-lifetime';
const MIB = 1024 * 1024;

/** nginx sizes: "0" (no limit) → Infinity, "64m", "512k", "1g", "1048576". */
export function nginxSize(text: string | undefined): number | undefined {
  if (text === undefined) return NGINX_DEFAULT_BODY;
  const m = /^\s*(\d+)\s*([kmg]?)\s*$/i.exec(text);
  if (m === null) return undefined;
  const n = Number(m[1]) * ({ '': 1, k: 1024, m: MIB, g: 1024 * MIB }[m[2]!.toLowerCase()] ?? 1);
  return n === 0 ? Infinity : n;
}

function workloadOf(objects: readonly K8sObject[], svc: ServiceName): K8sObject | undefined {
  return objects.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && componentOf(o) === svc);
}

/** A variable as the service sees it: the rendered value parsed, else the schema's default. */
function effective(
  objects: readonly K8sObject[],
  envs: Envs,
  svc: ServiceName,
  name: string,
  parse: (text: string) => number | undefined,
): number | undefined {
  const w = workloadOf(objects, svc);
  const text = w === undefined ? undefined : containerEnvValues(w, objects).get(name);
  if (text !== undefined && text !== '') return parse(text);
  const d = envs.get(svc)?.defaults?.get(name);
  return typeof d === 'number' ? d : undefined;
}

const fmtBytes = (n: number) => (n % MIB === 0 ? `${n / MIB} MiB` : `${n} bytes`);
const fmtS = (ms: number) => `${Math.round(ms / 1000)} s`;

/** The largest gRPC message ingestion accepts (services/ingestion app.ts: frame limit + ¼, ≥ 1 MiB). */
export function ingestionMaxMessage(objects: readonly K8sObject[], envs: Envs): number | undefined {
  const frame = effective(objects, envs, 'ingestion', 'INGEST_MAX_FRAME_BYTES', parseBytes);
  return frame === undefined ? undefined : frame + Math.max(MIB, Math.round(frame / 4));
}

/** The longest stream ingestion's public port serves, from its public Service's annotation. */
export function streamLifetimeMs(objects: readonly K8sObject[]): number | undefined {
  const pub = objects.find(
    (o) => o.kind === 'Service' && o.metadata.labels?.['simstream.dev/public'] === 'true',
  );
  const text = pub?.metadata.annotations?.[LIFETIME];
  return text === undefined ? undefined : parseDuration(text);
}

const backendNames = (o: K8sObject): string[] =>
  o.kind === 'Ingress'
    ? arrayAt(o, 'spec', 'rules').flatMap((r) =>
        arrayAt(r, 'http', 'paths').map((p) => stringAt(p, 'backend', 'service', 'name') ?? ''),
      )
    : arrayAt(o, 'spec', 'rules').flatMap((r) =>
        arrayAt(r, 'backendRefs').map((b) => stringAt(b, 'name') ?? ''),
      );

/** Ingestion's public port through an edge proxy: TLS to the pods, body size, stream timeouts. */
export function checkIngestionEdge(objects: readonly K8sObject[], envs: Envs, label: string): string[] {
  const problems: string[] = [];
  const pub = objects.find(
    (o) => o.kind === 'Service' && o.metadata.labels?.['simstream.dev/public'] === 'true',
  );
  if (pub === undefined) return problems;
  const publicName = pub.metadata.name;
  const lifetime = streamLifetimeMs(objects);
  if (lifetime === undefined) {
    problems.push(`${label}: Service/${publicName} does not say its stream lifetime (${LIFETIME})`);
    return problems;
  }
  const maxMessage = ingestionMaxMessage(objects, envs);
  for (const o of objects) {
    if (!backendNames(o).includes(publicName)) continue;
    const where = `${label}: ${describeObject(o)}`;
    if (o.kind === 'GRPCRoute') {
      const policy = objects.find(
        (p) =>
          p.kind === 'BackendTLSPolicy' &&
          arrayAt(p, 'spec', 'targetRefs').some(
            (t) => stringAt(t, 'kind') === 'Service' && stringAt(t, 'name') === publicName,
          ),
      );
      const validation = at(policy, 'spec', 'validation');
      if (policy === undefined)
        problems.push(
          `${where} exposes ingestion without TLS to the pods: no BackendTLSPolicy for Service/${publicName}`,
        );
      else if (
        stringAt(validation, 'hostname') === undefined ||
        (arrayAt(validation, 'caCertificateRefs').length === 0 &&
          stringAt(validation, 'wellKnownCACertificates') === undefined)
      )
        problems.push(`${where}: ${describeObject(policy)} does not verify the pods' certificate`);
    } else if (o.kind === 'HTTPRoute') {
      problems.push(`${where} routes gRPC streams to ingestion as HTTP: use a GRPCRoute or TLSRoute`);
    } else if (o.kind === 'Ingress') {
      problems.push(...checkGrpcIngress(o, where, lifetime, maxMessage));
    }
    if (o.kind !== 'Ingress' && arrayAt(o, 'spec', 'hostnames').length === 0)
      problems.push(`${where} has no hostnames: it would take every host of its listener`);
  }
  // The pods' side of a long stream: an aged connection keeps its streams for the grace only.
  const graces: [ServiceName, string, string][] = [
    ['ingestion', 'INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE', 'its StreamFrames streams'],
    ['query', 'GRPC_MAX_CONNECTION_AGE_GRACE', "ingestion's result tails, which follow a stream"],
  ];
  for (const [svc, name, what] of graces) {
    const grace = effective(objects, envs, svc, name, parseDuration);
    if (workloadOf(objects, svc) !== undefined && grace !== undefined && grace < lifetime)
      problems.push(
        `${label}: ${svc} ${name} (${fmtS(grace)}) is shorter than the stream lifetime (${fmtS(lifetime)}): ${what} would be cut`,
      );
  }
  return problems;
}

function checkGrpcIngress(
  o: K8sObject,
  where: string,
  lifetimeMs: number,
  maxMessage: number | undefined,
): string[] {
  const problems: string[] = [];
  const a = o.metadata.annotations ?? {};
  const protocol = a[`${NGINX}backend-protocol`] ?? 'HTTP';
  if (protocol !== 'GRPCS')
    problems.push(
      `${where} exposes ingestion without TLS to the pods (backend-protocol ${protocol}, not GRPCS)`,
    );
  else if (a[`${NGINX}proxy-ssl-verify`] !== 'on' || (a[`${NGINX}proxy-ssl-secret`] ?? '') === '')
    problems.push(
      `${where}: TLS to the pods is not verified (proxy-ssl-verify on and proxy-ssl-secret needed)`,
    );
  const tlsHosts = new Set(arrayAt(o, 'spec', 'tls').flatMap((t) => arrayAt(t, 'hosts').map(String)));
  const anyTls = arrayAt(o, 'spec', 'tls').length > 0;
  for (const r of arrayAt(o, 'spec', 'rules')) {
    const host = stringAt(r, 'host') ?? '*';
    if (!anyTls || (tlsHosts.size > 0 && !tlsHosts.has(host)))
      problems.push(`${where}: no TLS at the edge for ${host}`);
  }
  const bodyText = a[`${NGINX}proxy-body-size`];
  const body = nginxSize(bodyText);
  if (body === undefined) problems.push(`${where}: proxy-body-size ${bodyText} is not an nginx size`);
  else if (maxMessage !== undefined && body < maxMessage)
    problems.push(
      `${where}: body size ${fmtBytes(body)}${bodyText === undefined ? ' (nginx default)' : ''} < ingestion's largest frame message (${fmtBytes(maxMessage)}, from INGEST_MAX_FRAME_BYTES)`,
    );
  else if (body !== Infinity)
    problems.push(
      `${where}: proxy-body-size ${bodyText ?? '1m'} is counted against a whole StreamFrames stream by nginx: must be 0 (no limit)`,
    );
  for (const key of ['proxy-read-timeout', 'proxy-send-timeout', 'client-body-timeout']) {
    const text = a[`${NGINX}${key}`];
    const seconds = text === undefined ? NGINX_DEFAULT_TIMEOUT_S : Number(text);
    if (!Number.isFinite(seconds)) problems.push(`${where}: ${key} ${text} is not a number of seconds`);
    else if (seconds * 1000 < lifetimeMs)
      problems.push(
        `${where}: stream timeout ${key} ${seconds} s < the stream lifetime (${fmtS(lifetimeMs)}): a paused simulation's stream would be cut`,
      );
  }
  return problems;
}

/** The gateway's edge admits its largest upload, and does not cut event streams. */
export function checkGatewayEdge(objects: readonly K8sObject[], envs: Envs, label: string): string[] {
  const problems: string[] = [];
  const gatewaySvc = objects.find((o) => o.kind === 'Service' && componentOf(o) === 'gateway')?.metadata.name;
  if (gatewaySvc === undefined) return problems;
  const limits = ['GATEWAY_MAX_BODY_BYTES', 'GATEWAY_MAX_JSON_FRAMES_BYTES', 'GATEWAY_MAX_REQUEST_BYTES'].map(
    (name) => [name, effective(objects, envs, 'gateway', name, parseBytes) ?? 0] as const,
  );
  const [largestName, largest] = limits.reduce((a, b) => (b[1] > a[1] ? b : a));
  for (const o of objects) {
    if (!backendNames(o).includes(gatewaySvc)) continue;
    const where = `${label}: ${describeObject(o)}`;
    if (o.kind === 'Ingress') {
      const text = o.metadata.annotations?.[`${NGINX}proxy-body-size`];
      const body = nginxSize(text);
      if (body === undefined) problems.push(`${where}: proxy-body-size ${text} is not an nginx size`);
      else if (body < largest)
        problems.push(
          `${where}: body size ${fmtBytes(body)}${text === undefined ? ' (nginx default)' : ''} < the gateway's largest upload (${fmtBytes(largest)}, ${largestName})`,
        );
    } else if (o.kind === 'HTTPRoute') {
      for (const rule of arrayAt(o, 'spec', 'rules')) {
        const timeout = stringAt(rule, 'timeouts', 'request');
        const ms = timeout === undefined ? undefined : parseDuration(timeout);
        if (ms !== undefined && ms > 0)
          problems.push(`${where}: request timeout ${timeout} ends every Server-Sent Events stream after it`);
      }
    }
  }
  return problems;
}

/** In-cluster gRPC clients and the variable naming each server they call. */
export const GRPC_CLIENTS: readonly { client: ServiceName; variable: string; server: ServiceName }[] = [
  { client: 'gateway', variable: 'QUERY_ADDRESS', server: 'query' },
  { client: 'gateway', variable: 'INGESTION_ADDRESS', server: 'ingestion' },
  { client: 'gateway', variable: 'QUANTUM_ADDRESS', server: 'quantum' },
  { client: 'ingestion', variable: 'QUERY_ADDRESS', server: 'query' },
];

/** Servers and the variables of their connection age (0: never aged). */
export const CONNECTION_AGES: readonly { server: ServiceName; variable: string }[] = [
  { server: 'ingestion', variable: 'GRPC_MAX_CONNECTION_AGE' },
  { server: 'ingestion', variable: 'INGEST_PUBLIC_MAX_CONNECTION_AGE' },
  { server: 'query', variable: 'GRPC_MAX_CONNECTION_AGE' },
  { server: 'quantum', variable: 'GRPC_MAX_CONNECTION_AGE' },
];

/**
 * Balancing inside the cluster: every client dials dns:///<headless Service>:<port> (one address
 * per ready pod, round_robin in the code), whose name the server's certificate carries; every
 * server ages its connections, so that clients re-resolve and new replicas get calls.
 */
export function checkGrpcBalancing(objects: readonly K8sObject[], envs: Envs, label: string): string[] {
  const problems: string[] = [];
  for (const { client, variable, server } of GRPC_CLIENTS) {
    const w = workloadOf(objects, client);
    if (w === undefined || workloadOf(objects, server) === undefined) continue;
    const target = containerEnvValues(w, objects).get(variable) ?? '';
    const where = `${label}: ${client} ${variable}=${target}`;
    const m = /^dns:\/\/\/([a-z0-9-]+)(?:\.[a-z0-9.-]+)?:(\d+)$/.exec(target);
    if (m === null) {
      problems.push(`${where} is not a dns:/// target: the client would keep one connection to one pod`);
      continue;
    }
    const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === m[1]);
    if (svc === undefined) problems.push(`${where}: no Service ${m[1]} in the release`);
    else if (stringAt(svc, 'spec', 'clusterIP') !== 'None')
      problems.push(
        `${where} targets a ClusterIP Service (one virtual address: every call on one pod), not a headless one`,
      );
    else if (componentOf(svc) !== server)
      problems.push(`${where}: Service ${m[1]} selects ${componentOf(svc) ?? 'no component'}, not ${server}`);
    else if (!arrayAt(svc, 'spec', 'ports').some((p) => String(at(p, 'port')) === m[2]))
      problems.push(`${where}: Service ${m[1]} has no port ${m[2]}`);
    const cert = objects.find((o) => o.kind === 'Certificate' && componentOf(o) === server);
    if (cert !== undefined && !arrayAt(cert, 'spec', 'dnsNames').includes(m[1]))
      problems.push(`${where}: ${describeObject(cert)} lacks ${m[1]}, the name the client verifies`);
  }
  for (const { server, variable } of CONNECTION_AGES) {
    if (workloadOf(objects, server) === undefined) continue;
    const age = effective(objects, envs, server, variable, parseDuration);
    if (age === undefined || age <= 0)
      problems.push(
        `${label}: ${server} has no max connection age (${variable}): clients keep their connections and new replicas get no calls`,
      );
  }
  return problems;
}
