/**
 * Scaling and sizing of the rendered chart: KEDA owns the consumers' scaling when on (lag of
 * their groups, capped at the partitions the topic table defines), no HPA scales on memory,
 * each memory limit covers the service's own byte budgets (a limit below them is an OOM kill
 * waiting for the largest frame), and GPU pods roll and drain without a spare GPU and without
 * losing the only pod. Pure functions over rendered objects; scaling-run.ts runs them on the chart.
 */
import { parseBytes } from '@simstream/config';
import { describeObject, type K8sObject } from './manifests.js';
import { podSpecOf } from './pod-policy.js';
import type { ServiceName } from './repo.js';
import { containerEnvValues } from './tls-checks.js';
import { arrayAt, at, stringAt } from './walk.js';

const MiB = 1024 * 1024;

/**
 * Memory a service holds before any frame: Node's heap and code, the Kafka and gRPC clients,
 * pools and caches at rest. An allowance, not a measurement (no cluster here): the services at
 * rest stay well below it on a workstation.
 */
export const BASELINE_BYTES = 256 * MiB;

/** The consumers and the groups' topics they scale on (keda.topics keys). */
export const CONSUMERS: readonly ServiceName[] = ['neuromorphic', 'quantum', 'query'];

const componentOf = (o: K8sObject): string | undefined => o.metadata.labels?.['app.kubernetes.io/component'];

/** "2Gi", "1536Mi", "1G", "1073741824" → bytes (Kubernetes memory quantities). */
export function parseMemoryQuantity(q: unknown): number | undefined {
  const text = typeof q === 'number' ? String(q) : typeof q === 'string' ? q : undefined;
  const m = text === undefined ? null : /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text);
  if (m === null) return undefined;
  const unit: Record<string, number> = {
    '': 1,
    Ki: 1024,
    Mi: MiB,
    Gi: 1024 * MiB,
    Ti: 1024 * 1024 * MiB,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Math.round(Number(m[1]) * unit[m[2] ?? '']!);
}

const mib = (bytes: number) => `${Math.round(bytes / MiB)}Mi`;

/** A budget variable: the rendered environment's value, else the service's default. */
function budget(
  env: ReadonlyMap<string, string | undefined>,
  defaults: ReadonlyMap<string, unknown>,
  name: string,
): number | undefined {
  const set = env.get(name);
  if (set !== undefined) return parseBytes(set);
  const d = defaults.get(name);
  return typeof d === 'number' ? d : undefined;
}

/** The terms of a service's memory floor (name → bytes), or undefined for a service without budgets. */
export function memoryFloor(
  svc: ServiceName,
  env: ReadonlyMap<string, string | undefined>,
  defaults: ReadonlyMap<string, unknown>,
): { terms: [string, number][]; missing: string[] } | undefined {
  const need = (names: string[]) => {
    const values = names.map((n) => budget(env, defaults, n));
    return { values, missing: names.filter((_, i) => values[i] === undefined) };
  };
  if (svc === 'ingestion') {
    const { values, missing } = need([
      'INGEST_MAX_FRAME_BYTES',
      'INGEST_MAX_DECODED_FRAME_BYTES',
      'INGEST_MAX_INFLIGHT_BYTES',
    ]);
    if (missing.length > 0) return { terms: [], missing };
    const [frame, decoded, inflight] = values as number[];
    // grpc-js holds the whole received message (up to the transport limit app.ts sets: the
    // frame limit plus a quarter, at least 1 MiB); validation decompresses into a second buffer
    // of up to the decoded limit; frames read but not yet acked stay held up to the in-flight budget.
    return {
      terms: [
        ['baseline', BASELINE_BYTES],
        [
          'received message (INGEST_MAX_FRAME_BYTES + gRPC slack)',
          frame! + Math.max(MiB, Math.round(frame! / 4)),
        ],
        ['decoded copy (INGEST_MAX_DECODED_FRAME_BYTES)', decoded!],
        ['in flight (INGEST_MAX_INFLIGHT_BYTES)', inflight!],
      ],
      missing: [],
    };
  }
  if (svc === 'gateway') {
    const { values, missing } = need(['GATEWAY_MAX_UPLOAD_INFLIGHT_BYTES', 'GATEWAY_DECODE_WORKER_HEAP']);
    if (missing.length > 0) return { terms: [], missing };
    const [inflight, heap] = values as number[];
    const workers = Number(env.get('GATEWAY_DECODE_WORKERS') ?? defaults.get('GATEWAY_DECODE_WORKERS') ?? 1);
    // Upload bodies (raw, and decoded once a hold grows) count against the replica's budget;
    // each decode thread has its own heap on top.
    return {
      terms: [
        ['baseline', BASELINE_BYTES],
        ['uploads held (GATEWAY_MAX_UPLOAD_INFLIGHT_BYTES)', inflight!],
        [`decode threads (${workers} x GATEWAY_DECODE_WORKER_HEAP)`, workers * heap!],
      ],
      missing: [],
    };
  }
  return undefined;
}

/** Each workload's memory limit covers the byte budgets its service enforces. */
export function checkMemoryBudgets(
  objects: readonly K8sObject[],
  defaults: ReadonlyMap<ServiceName, ReadonlyMap<string, unknown>>,
  label: string,
): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
    const svc = componentOf(o) as ServiceName | undefined;
    if (svc === undefined) continue;
    const floor = memoryFloor(svc, containerEnvValues(o, objects), defaults.get(svc) ?? new Map());
    if (floor === undefined) continue;
    const where = `${label}: ${describeObject(o)}`;
    if (floor.missing.length > 0) {
      problems.push(`${where}: cannot read ${floor.missing.join(', ')} (not a size, and no default)`);
      continue;
    }
    const limitText = at(podSpecOf(o), 'containers', 0, 'resources', 'limits', 'memory');
    const limit = parseMemoryQuantity(limitText);
    const need = floor.terms.reduce((sum, [, b]) => sum + b, 0);
    if (limit === undefined) problems.push(`${where}: memory limit ${String(limitText)} is not a quantity`);
    else if (limit < need)
      problems.push(
        `${where}: memory limit ${String(limitText)} (${mib(limit)}) is below what its budgets can hold, ` +
          `${mib(need)} = ${floor.terms.map(([n, b]) => `${n} ${mib(b)}`).join(' + ')}: the largest frame is an OOM kill`,
      );
  }
  return problems;
}

/** Partitions per topic name, from the topic table. */
export type Partitions = ReadonlyMap<string, number>;

/** HPAs and ScaledObjects: no memory signal, one owner per workload, lag capped at partitions. */
export function checkAutoscaling(
  objects: readonly K8sObject[],
  partitions: Partitions,
  label: string,
): string[] {
  const problems: string[] = [];
  const say = (o: K8sObject, msg: string) => problems.push(`${label}: ${describeObject(o)}: ${msg}`);
  const owners = new Map<string, string[]>();
  const own = (o: K8sObject, target: string) =>
    owners.set(target, [...(owners.get(target) ?? []), describeObject(o)]);
  for (const o of objects) {
    if (o.kind === 'HorizontalPodAutoscaler') {
      own(
        o,
        `${stringAt(o, 'spec', 'scaleTargetRef', 'kind')}/${stringAt(o, 'spec', 'scaleTargetRef', 'name')}`,
      );
      for (const m of arrayAt(o, 'spec', 'metrics'))
        if (
          stringAt(m, 'resource', 'name') === 'memory' ||
          stringAt(m, 'containerResource', 'name') === 'memory'
        )
          say(
            o,
            'scales on memory, which follows the byte budgets rather than the load (replicas only ratchet up)',
          );
    }
    if (o.kind !== 'ScaledObject') continue;
    const target = `${stringAt(o, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment'}/${stringAt(o, 'spec', 'scaleTargetRef', 'name')}`;
    own(o, target);
    if (!objects.some((w) => `${w.kind}/${w.metadata.name}` === target))
      say(o, `scales ${target}, which is not rendered`);
    const max = Number(at(o, 'spec', 'maxReplicaCount'));
    const triggers = arrayAt(o, 'spec', 'triggers');
    if (!triggers.some((t) => stringAt(t, 'type') === 'cpu')) say(o, 'has no CPU trigger');
    for (const t of triggers.filter((x) => stringAt(x, 'type') === 'kafka')) {
      const topic = stringAt(t, 'metadata', 'topic') ?? '';
      const p = partitions.get(topic);
      for (const key of ['bootstrapServers', 'consumerGroup', 'topic', 'lagThreshold'])
        if (!stringAt(t, 'metadata', key)) say(o, `a kafka trigger without ${key}`);
      if (p === undefined) say(o, `lag of '${topic}', which is not in the topic table`);
      else if (!(max <= p))
        say(
          o,
          `maxReplicaCount ${max} exceeds the ${p} partitions of ${topic}: the extra consumers sit idle`,
        );
      const ref = stringAt(t, 'authenticationRef', 'name');
      const sasl = stringAt(t, 'metadata', 'sasl') ?? 'none';
      if (sasl !== 'none' && ref === undefined)
        say(o, `SASL ${sasl} but no authenticationRef (no credentials)`);
      if (
        ref !== undefined &&
        !objects.some((x) => x.kind === 'TriggerAuthentication' && x.metadata.name === ref)
      )
        say(o, `authenticationRef ${ref} is not rendered`);
    }
  }
  for (const [target, by] of owners)
    if (by.length > 1) problems.push(`${label}: ${target} is scaled by ${by.join(' and ')} (they fight)`);
  return problems;
}

/** KEDA's Kafka credentials are the very ones the pods use (a repointed Secret moves both). */
export function checkKedaCredentials(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  for (const so of objects.filter((o) => o.kind === 'ScaledObject')) {
    const workload = objects.find(
      (w) => w.metadata.name === stringAt(so, 'spec', 'scaleTargetRef', 'name') && podSpecOf(w) !== undefined,
    );
    const env = arrayAt(workload === undefined ? undefined : podSpecOf(workload), 'containers', 0, 'env');
    const pw = env.find((e) => stringAt(e, 'name') === 'KAFKA_SASL_PASSWORD');
    for (const t of arrayAt(so, 'spec', 'triggers').filter((x) => stringAt(x, 'type') === 'kafka')) {
      const ref = stringAt(t, 'authenticationRef', 'name');
      const auth = objects.find((x) => x.kind === 'TriggerAuthentication' && x.metadata.name === ref);
      const kedaPw = arrayAt(auth, 'spec', 'secretTargetRef').find(
        (r) => stringAt(r, 'parameter') === 'password',
      );
      const podRef = `${stringAt(pw, 'valueFrom', 'secretKeyRef', 'name')}/${stringAt(pw, 'valueFrom', 'secretKeyRef', 'key')}`;
      const kedaRef = `${stringAt(kedaPw, 'name')}/${stringAt(kedaPw, 'key')}`;
      if ((pw === undefined) !== (kedaPw === undefined) || (pw !== undefined && podRef !== kedaRef))
        problems.push(
          `${label}: ${describeObject(so)}: KEDA logs in with ${kedaPw === undefined ? 'no password' : kedaRef}, the pods with ${pw === undefined ? 'none' : podRef}`,
        );
    }
  }
  return problems;
}

/** GPU pods: roll without a spare GPU, and a PDB never over a single pod. */
export function checkGpuRollout(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const pod = podSpecOf(o);
    const limits = at(pod, 'containers', 0, 'resources', 'limits');
    const gpu =
      typeof limits === 'object' && limits !== null && Object.keys(limits).some((k) => k.endsWith('/gpu'));
    if (!gpu || o.kind !== 'Deployment') continue;
    const where = `${label}: ${describeObject(o)}`;
    const surge = stringAt(o, 'spec', 'strategy', 'rollingUpdate', 'maxSurge');
    const unavailable = stringAt(o, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable');
    if (surge !== '0')
      problems.push(`${where}: GPU pods with maxSurge ${surge ?? '25%'}: a full GPU pool stalls the rollout`);
    if (unavailable === undefined || unavailable === '0' || unavailable === '0%')
      problems.push(
        `${where}: GPU pods with maxUnavailable ${unavailable ?? '25%'}: with maxSurge 0 nothing can roll`,
      );
    const svc = componentOf(o);
    const pdb = objects.find((x) => x.kind === 'PodDisruptionBudget' && componentOf(x) === svc);
    if (pdb === undefined) continue;
    const scaler = objects.find(
      (x) =>
        (x.kind === 'HorizontalPodAutoscaler' || x.kind === 'ScaledObject') &&
        stringAt(x, 'spec', 'scaleTargetRef', 'name') === o.metadata.name,
    );
    const fewest = Number(
      scaler === undefined
        ? (at(o, 'spec', 'replicas') ?? 1)
        : (at(scaler, 'spec', 'minReplicas') ?? at(scaler, 'spec', 'minReplicaCount') ?? 1),
    );
    if (fewest < 2)
      problems.push(
        `${where}: a PodDisruptionBudget over as few as ${fewest} pod: a node drain evicts the only one`,
      );
  }
  return problems;
}

/** Image references: a digest, where given, must be a well-formed sha256 and replace the tag. */
export function checkImageRefs(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    for (const c of [...arrayAt(podSpecOf(o), 'containers'), ...arrayAt(podSpecOf(o), 'initContainers')]) {
      const image = stringAt(c, 'image') ?? '';
      if (image.includes('@') && !/^[^@:]+(:\d+)?(\/[^@:]+)*@sha256:[a-f0-9]{64}$/.test(image))
        problems.push(`${label}: ${describeObject(o)}: image ${image} is not <repository>@sha256:<64 hex>`);
    }
  }
  return problems;
}
