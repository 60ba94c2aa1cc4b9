/**
 * Service identity in the rendered chart: every gRPC-speaking workload (ingestion, query,
 * quantum, gateway) mounts its certificate Secret read-only and points GRPC_TLS_* at it, and
 * never runs with GRPC_INSECURE=true unless the value set asks for it; the internal gRPC ports
 * (ingestion's internal port, query, quantum) admit only the gateway's pods and are never exposed
 * outside the cluster; cert-manager Certificates name the service (CN) and carry both usages.
 * Pure: objects in, problems out.
 */
import { describeObject, type K8sObject } from './manifests.js';
import { podSpecOf } from './pod-policy.js';
import type { ServiceName } from './repo.js';
import { arrayAt, at, stringAt } from './walk.js';

export const GRPC_SERVICES: readonly ServiceName[] = ['ingestion', 'query', 'quantum', 'gateway'];
export const TLS_FILE_VARS = ['GRPC_TLS_CA_FILE', 'GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE'] as const;

/** Ports that only other simstream services may reach, per service (port names of the chart). */
export const INTERNAL_PORTS: Readonly<Partial<Record<ServiceName, string>>> = {
  ingestion: 'grpc-internal',
  query: 'grpc',
  quantum: 'grpc',
};
/**
 * Who may reach each internal port (pod component labels): the gateway everywhere; ingestion
 * also reaches query, where streams that opt in to analysis events follow their results.
 */
export const INTERNAL_PEERS: Readonly<Partial<Record<ServiceName, readonly string[]>>> = {
  ingestion: ['gateway'],
  query: ['gateway', 'ingestion'],
  quantum: ['gateway'],
};
/** Ports open to any source (each request authenticated). */
export const PUBLIC_PORTS: Readonly<Partial<Record<ServiceName, string>>> = {
  gateway: 'http',
  ingestion: 'grpc',
};

const COMPONENT = 'app.kubernetes.io/component';

export function componentOf(o: K8sObject): string | undefined {
  return o.metadata.labels?.[COMPONENT];
}

/** Variable values a container gets (envFrom ConfigMaps, then env; valueFrom → undefined). */
export function containerEnvValues(o: K8sObject, all: readonly K8sObject[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const c = at(podSpecOf(o), 'containers', 0);
  for (const from of arrayAt(c, 'envFrom')) {
    const ref = stringAt(from, 'configMapRef', 'name');
    const cm = all.find((x) => x.kind === 'ConfigMap' && x.metadata.name === ref);
    const data = at(cm, 'data');
    if (typeof data === 'object' && data !== null)
      for (const [k, v] of Object.entries(data)) out.set(k, typeof v === 'string' ? v : String(v));
  }
  for (const e of arrayAt(c, 'env')) {
    const name = stringAt(e, 'name');
    if (name !== undefined) out.set(name, stringAt(e, 'value'));
  }
  return out;
}

/** TLS of the gRPC workloads: `insecure` says whether the value set turned TLS off on purpose. */
export function checkGrpcTls(objects: readonly K8sObject[], label: string, insecure: boolean): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
    const svc = componentOf(o);
    if (!(GRPC_SERVICES as readonly (string | undefined)[]).includes(svc)) continue;
    const where = `${label}: ${describeObject(o)}`;
    const env = containerEnvValues(o, objects);
    if (insecure) {
      if (env.get('GRPC_INSECURE') !== 'true')
        problems.push(`${where}: tls.insecure but GRPC_INSECURE is not true`);
      continue;
    }
    if (env.get('GRPC_INSECURE') === 'true') {
      problems.push(`${where}: GRPC_INSECURE=true (plaintext gRPC, no service identities)`);
      continue;
    }
    const pod = podSpecOf(o);
    const mounts = arrayAt(pod, 'containers', 0, 'volumeMounts');
    const volumes = arrayAt(pod, 'volumes');
    for (const name of TLS_FILE_VARS) {
      const file = env.get(name);
      if (file === undefined || file === '') {
        problems.push(`${where}: ${name} is not set`);
        continue;
      }
      const mount = mounts.find((m) => file.startsWith(`${stringAt(m, 'mountPath')}/`));
      const volume = volumes.find((v) => stringAt(v, 'name') === stringAt(mount, 'name'));
      if (mount === undefined || at(volume, 'secret', 'secretName') === undefined) {
        problems.push(`${where}: ${name}=${file} is not in a mounted Secret`);
        continue;
      }
      if (at(mount, 'readOnly') !== true)
        problems.push(`${where}: ${stringAt(mount, 'mountPath')} is not read-only`);
      if (at(mount, 'subPath') !== undefined)
        problems.push(
          `${where}: ${stringAt(mount, 'mountPath')} uses subPath (a renewed Secret would not show)`,
        );
      const items = arrayAt(volume, 'secret', 'items');
      const base = file.slice(String(stringAt(mount, 'mountPath')).length + 1);
      if (items.length > 0 && !items.some((i) => stringAt(i, 'path') === base))
        problems.push(`${where}: ${name}=${file} is not among the Secret's items`);
    }
  }
  return problems;
}

function isPeerOf(peer: unknown, allowed: readonly string[]): boolean {
  const component = stringAt(peer, 'podSelector', 'matchLabels', COMPONENT);
  return (
    at(peer, 'namespaceSelector') === undefined &&
    at(peer, 'ipBlock') === undefined &&
    component !== undefined &&
    allowed.includes(component)
  );
}

/** Who may reach which port: internal ports only from their allowed peers, nothing else public. */
export function checkExposure(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const svc = componentOf(o) as ServiceName | undefined;
    const where = `${label}: ${describeObject(o)}`;
    if (o.kind === 'NetworkPolicy' && svc !== undefined) {
      const internal = INTERNAL_PORTS[svc];
      let internalRule = false;
      for (const rule of arrayAt(o, 'spec', 'ingress')) {
        const ports = arrayAt(rule, 'ports').map((p) => stringAt(p, 'port'));
        const from = arrayAt(rule, 'from');
        if (from.length === 0 && !(ports.length > 0 && ports.every((p) => p === PUBLIC_PORTS[svc])))
          problems.push(`${where} admits any source to ${ports.join(', ') || 'every port'}`);
        if (internal !== undefined && (ports.length === 0 || ports.includes(internal))) {
          internalRule = true;
          const peers = INTERNAL_PEERS[svc] ?? ['gateway'];
          if (from.length === 0 || !from.every((peer) => isPeerOf(peer, peers)))
            problems.push(`${where}: port ${internal} admits more than the pods of ${peers.join(', ')}`);
        }
      }
      if (internal !== undefined && !internalRule)
        problems.push(`${where}: no rule admits the gateway to ${internal}`);
    }
    if (o.kind === 'Service' && svc !== undefined) {
      const type = stringAt(o, 'spec', 'type') ?? 'ClusterIP';
      const ports = arrayAt(o, 'spec', 'ports').map((p) => stringAt(p, 'name'));
      const internal = INTERNAL_PORTS[svc];
      if (type !== 'ClusterIP') {
        const publicPort = PUBLIC_PORTS[svc];
        if (
          publicPort === undefined ||
          (svc === 'ingestion' && o.metadata.labels?.['simstream.dev/public'] !== 'true')
        )
          problems.push(`${where} is exposed as ${type}`);
        // The gateway's Service also carries its ops port (ServiceMonitor); its NetworkPolicy
        // admits only networkPolicy.metricsFrom there.
        else if (!ports.every((p) => p === publicPort || (svc === 'gateway' && p === 'ops')))
          problems.push(
            `${where} is exposed as ${type} with ports other than ${publicPort}: ${ports.join(', ')}`,
          );
      }
      if (internal !== undefined && svc === 'ingestion' && type !== 'ClusterIP' && ports.includes(internal))
        problems.push(`${where} exposes ${internal} outside the cluster`);
    }
  }
  return problems;
}

/** cert-manager Certificates: one per gRPC service, CN = identity, both usages, the mounted Secret. */
export function checkCertificates(
  objects: readonly K8sObject[],
  label: string,
  namespace: string,
  options: { required: boolean },
): string[] {
  const problems: string[] = [];
  const certs = objects.filter((o) => o.kind === 'Certificate');
  for (const svc of GRPC_SERVICES) {
    const workload = objects.find(
      (o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && componentOf(o) === svc,
    );
    if (workload === undefined) continue;
    const cert = certs.find((c) => componentOf(c) === svc);
    if (cert === undefined) {
      if (options.required) problems.push(`${label}: no Certificate for ${svc}`);
      continue;
    }
    const where = `${label}: ${describeObject(cert)}`;
    if (stringAt(cert, 'spec', 'commonName') !== svc)
      problems.push(
        `${where}: commonName is ${stringAt(cert, 'spec', 'commonName')}, not the identity ${svc}`,
      );
    const usages = arrayAt(cert, 'spec', 'usages');
    for (const u of ['server auth', 'client auth'])
      if (!usages.includes(u)) problems.push(`${where}: usages lack ${u}`);
    if (
      stringAt(cert, 'spec', 'privateKey', 'algorithm') !== 'ECDSA' ||
      at(cert, 'spec', 'privateKey', 'size') !== 256
    )
      problems.push(`${where}: private key is not ECDSA P-256`);
    const service = objects.find(
      (o) =>
        o.kind === 'Service' &&
        componentOf(o) === svc &&
        stringAt(o, 'spec', 'clusterIP') !== 'None' &&
        o.metadata.labels?.['simstream.dev/public'] !== 'true',
    );
    const dns = arrayAt(cert, 'spec', 'dnsNames');
    if (service !== undefined) {
      const n = service.metadata.name;
      for (const name of [n, `${n}.${namespace}.svc`, `${n}.${namespace}.svc.cluster.local`])
        if (!dns.includes(name)) problems.push(`${where}: dnsNames lack ${name}`);
    }
    const secret = stringAt(cert, 'spec', 'secretName');
    const mounted = arrayAt(podSpecOf(workload), 'volumes').some(
      (v) => stringAt(v, 'secret', 'secretName') === secret,
    );
    if (!mounted)
      problems.push(`${where}: its Secret ${secret} is not mounted by ${describeObject(workload)}`);
  }
  return problems;
}
