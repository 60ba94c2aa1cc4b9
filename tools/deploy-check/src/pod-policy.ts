/**
 * The security and operations posture every pod we ship must have (STYLE.md): non-root,
 * read-only root filesystem with an emptyDir /tmp, no capabilities, RuntimeDefault seccomp, no
 * privilege escalation, requests and limits, pinned images, no secret value written into a
 * manifest; and for the five services: /healthz and /readyz probes on the ops port, a preStop
 * drain, topology spread and INSTANCE_ID from the pod name. Pure: objects in, problems out.
 */
import { DeployInputError } from './errors.js';
import { describeObject, type K8sObject } from './manifests.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** The pod template of a workload (or the pod itself), undefined for other kinds. */
export function podSpecOf(o: K8sObject): Obj | undefined {
  switch (o.kind) {
    case 'Pod':
      return obj(o.spec);
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return obj(obj(obj(o.spec).template).spec);
    case 'CronJob':
      return obj(obj(obj(obj(obj(o.spec).jobTemplate).spec).template).spec);
    default:
      return undefined;
  }
}

const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|_KEY|DATABASE_URL|REDIS_URL)$/;

export function checkPodSecurity(o: K8sObject): string[] {
  const spec = podSpecOf(o);
  if (spec === undefined) return [];
  const where = describeObject(o);
  const problems: string[] = [];
  const pod = obj(spec.securityContext);
  if (spec.automountServiceAccountToken !== false)
    problems.push(`${where}: automountServiceAccountToken is not false`);
  const volumes = list(spec.volumes);
  const emptyDirs = new Set(volumes.filter((v) => v.emptyDir !== undefined).map((v) => String(v.name)));
  const containers = [...list(spec.initContainers), ...list(spec.containers)];
  if (containers.length === 0) problems.push(`${where}: no containers`);
  for (const c of containers) {
    const at = `${where} container ${String(c.name)}`;
    const sc = obj(c.securityContext);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot is not true`);
    const runAsUser = sc.runAsUser ?? pod.runAsUser;
    if (runAsUser === 0) problems.push(`${at}: runs as uid 0`);
    const seccomp = obj(sc.seccompProfile ?? pod.seccompProfile).type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      problems.push(`${at}: seccompProfile is not RuntimeDefault`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: readOnlyRootFilesystem is not true`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
    if (sc.privileged === true) problems.push(`${at}: privileged`);
    const drop = list(obj(sc.capabilities).drop).map(String);
    if (!drop.includes('ALL')) problems.push(`${at}: capabilities do not drop ALL`);
    if (list(obj(sc.capabilities).add).length > 0) problems.push(`${at}: adds capabilities`);
    const resources = obj(c.resources);
    for (const kind of ['requests', 'limits'])
      for (const r of ['cpu', 'memory'])
        if (obj(resources[kind])[r] === undefined) problems.push(`${at}: no ${kind}.${r}`);
    const image = typeof c.image === 'string' ? c.image : '';
    if (!/:[^/]+$/.test(image) && !image.includes('@sha256:'))
      problems.push(`${at}: image ${image} has no tag`);
    if (image.endsWith(':latest')) problems.push(`${at}: image ${image} uses :latest`);
    const tmp = list(c.volumeMounts).find((m) => m.mountPath === '/tmp');
    if (tmp === undefined || !emptyDirs.has(String(tmp.name)))
      problems.push(`${at}: /tmp is not a writable emptyDir`);
    for (const e of list(c.env))
      if (SECRET_NAME.test(String(e.name)) && e.value !== undefined)
        problems.push(`${at}: ${String(e.name)} is written into the manifest, not taken from a Secret`);
  }
  return problems;
}

function probe(c: Obj, kind: string): { path?: unknown; port?: unknown } {
  return obj(obj(c[kind]).httpGet);
}

/** Operational rules for the five simstream services' workloads. */
export function checkServiceWorkload(o: K8sObject, opsPortName = 'ops'): string[] {
  const spec = podSpecOf(o);
  if (spec === undefined) return [];
  const where = describeObject(o);
  const problems: string[] = [];
  const [c] = list(spec.containers);
  if (c === undefined) return [`${where}: no container`];
  const expect = (kind: string, path: string) => {
    const p = probe(c, kind);
    if (p.path !== path || p.port !== opsPortName)
      problems.push(`${where}: ${kind} is not GET ${path} on port ${opsPortName}`);
  };
  expect('livenessProbe', '/healthz');
  expect('readinessProbe', '/readyz');
  if (obj(obj(c.lifecycle).preStop).exec === undefined && obj(obj(c.lifecycle).preStop).sleep === undefined)
    problems.push(`${where}: no preStop hook (graceful drain)`);
  if (list(spec.topologySpreadConstraints).length === 0)
    problems.push(`${where}: no topologySpreadConstraints`);
  const instance = list(c.env).find((e) => e.name === 'INSTANCE_ID');
  if (obj(obj(instance?.valueFrom).fieldRef).fieldPath !== 'metadata.name')
    problems.push(`${where}: INSTANCE_ID is not the pod name (downward API)`);
  if (typeof spec.terminationGracePeriodSeconds !== 'number')
    problems.push(`${where}: no terminationGracePeriodSeconds`);
  return problems;
}

/** Variable names a container gets: env entries plus the keys of ConfigMaps it takes with envFrom. */
export function containerEnvNames(o: K8sObject, all: readonly K8sObject[]): string[] {
  const spec = podSpecOf(o);
  if (spec === undefined) return [];
  const [c] = list(spec.containers);
  if (c === undefined) return [];
  const names = list(c.env).map((e) => String(e.name));
  for (const from of list(c.envFrom)) {
    const ref = obj(from.configMapRef).name;
    if (typeof ref !== 'string') continue;
    const cm = all.find((x) => x.kind === 'ConfigMap' && x.metadata.name === ref);
    if (cm === undefined)
      throw new DeployInputError(`${describeObject(o)}: envFrom ConfigMap ${ref} is not rendered`);
    names.push(...Object.keys(obj(cm.data)));
  }
  return names;
}
