/**
 * The Helm chart: lint, render the default values and the CI value sets, validate every
 * manifest offline, and check what the chart promises (security posture, probes, drain, env in
 * sync with the services' schemas, GPU scheduling, only the gateway reachable, clear errors
 * for wrong values, NOTES that say how to reach the gateway).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeObject, parseManifests, type K8sObject } from './manifests.js';
import { checkPodSecurity, checkServiceWorkload, containerEnvNames, podSpecOf } from './pod-policy.js';
import { SERVICES, type ServiceName } from './repo.js';
import { runProgram } from '@simstream/toolchain';
import { checkServiceEnv, type ServiceEnvSpec } from './service-env.js';
import { checkCertificates, checkExposure, checkGrpcTls, containerEnvValues } from './tls-checks.js';
import { validateManifests } from './kubeconform.js';
import type { Check } from './check.js';
import { arrayAt, at, stringAt } from './walk.js';

export interface ValueSet {
  readonly name: string;
  readonly file?: string;
  readonly apiVersions: readonly string[];
}

export function valueSets(chartDir: string): ValueSet[] {
  const ci = readdirSync(path.join(chartDir, 'ci'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({
      name: f.replace(/-values\.yaml$/, ''),
      file: path.join(chartDir, 'ci', f),
      // The ingress set also runs where the Prometheus Operator exists.
      apiVersions: f.startsWith('ingress') ? ['monitoring.coreos.com/v1'] : [],
    }));
  return [{ name: 'default', apiVersions: [] }, ...ci];
}

async function helm(helmBin: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runProgram(helmBin, args);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

const NAMESPACE = 'simstream';

export function templateArgs(chartDir: string, set: ValueSet, extra: string[] = []): string[] {
  return [
    'template',
    'simstream',
    chartDir,
    '--namespace',
    NAMESPACE,
    '--kube-version',
    '1.29.0',
    ...(set.file === undefined ? [] : ['-f', set.file]),
    ...set.apiVersions.flatMap((a) => ['--api-versions', a]),
    ...extra,
  ];
}

function componentOf(o: K8sObject): ServiceName | undefined {
  const c = o.metadata.labels?.['app.kubernetes.io/component'];
  return (SERVICES as readonly string[]).includes(c ?? '') ? (c as ServiceName) : undefined;
}

/** Rules that hold for every value set. */
export function checkRendered(
  objects: readonly K8sObject[],
  envs: ReadonlyMap<ServiceName, ServiceEnvSpec>,
  label: string,
): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    problems.push(...checkPodSecurity(o).map((p) => `${label}: ${p}`));
    const template = at(o, 'spec', 'template', 'metadata', 'labels', 'app.kubernetes.io/part-of');
    if (podSpecOf(o) !== undefined && template !== 'simstream')
      problems.push(
        `${label}: ${describeObject(o)} pods lack app.kubernetes.io/part-of=simstream (the stores admit only those)`,
      );
    const svc = componentOf(o);
    if (svc !== undefined && (o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      problems.push(...checkServiceWorkload(o).map((p) => `${label}: ${p}`));
      problems.push(
        ...checkServiceEnv(envs.get(svc)!, containerEnvNames(o, objects), `${label} ${describeObject(o)}`),
      );
    }
    if (o.kind === 'Job') {
      const known = envs.get('query')!.known;
      for (const name of containerEnvNames(o, objects))
        if (!known.has(name)) problems.push(`${label}: ${describeObject(o)} sets ${name}, unknown to query`);
      const hook = o.metadata.annotations?.['helm.sh/hook'] ?? '';
      if (!hook.includes('pre-install') || !hook.includes('pre-upgrade'))
        problems.push(`${label}: ${describeObject(o)} is not a pre-install/pre-upgrade hook`);
    }
  }
  // Only the gateway's HTTP port and ingestion's public gRPC port are public; every gRPC
  // workload speaks TLS with its own certificate (no value set here turns it off).
  problems.push(...checkExposure(objects, label));
  problems.push(...checkGrpcTls(objects, label, false));
  problems.push(...checkCertificates(objects, label, NAMESPACE, { required: false }));
  for (const svc of SERVICES) {
    const kinds = objects.filter((o) => componentOf(o) === svc).map((o) => o.kind);
    for (const kind of ['Service', 'ConfigMap', 'NetworkPolicy'])
      if (!kinds.includes(kind)) problems.push(`${label}: ${svc} has no ${kind}`);
    if (!kinds.includes('Deployment') && !kinds.includes('StatefulSet'))
      problems.push(`${label}: ${svc} has no workload`);
  }
  if (
    !objects.some(
      (o) =>
        o.kind === 'NetworkPolicy' &&
        at(o, 'spec', 'podSelector', 'matchLabels', 'app.kubernetes.io/component') === undefined,
    )
  )
    problems.push(`${label}: no default-deny NetworkPolicy`);
  return problems;
}

function configValue(objects: readonly K8sObject[], svc: ServiceName, name: string): string | undefined {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && componentOf(o) === svc);
  return stringAt(cm, 'data', name);
}

/** What each CI value set is for must show in its rendering. */
export function checkValueSetIntent(set: string, objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, svc?: ServiceName) =>
    objects.find((o) => o.kind === kind && (svc === undefined || componentOf(o) === svc));
  const say = (msg: string) => problems.push(`${set}: ${msg}`);
  if (set === 'gpu') {
    const neuro = find('Deployment', 'neuromorphic');
    const pod = neuro === undefined ? undefined : podSpecOf(neuro);
    if (at(pod, 'containers', 0, 'resources', 'limits', 'nvidia.com/gpu') === undefined)
      say('neuromorphic has no nvidia.com/gpu limit');
    if (!(stringAt(pod, 'containers', 0, 'image') ?? '').endsWith('-gpu'))
      say('neuromorphic does not run the -gpu image');
    if (stringAt(pod, 'nodeSelector', 'nvidia.com/gpu.present') !== 'true')
      say('neuromorphic is not placed on GPU nodes');
    if (!arrayAt(pod, 'tolerations').some((t) => stringAt(t, 'key') === 'nvidia.com/gpu'))
      say('no toleration of the GPU taint');
    if (configValue(objects, 'neuromorphic', 'SIMSTREAM_TF_BACKEND') !== 'tensorflow-gpu')
      say('tensorflow-gpu is not selected');
    const hpa = find('HorizontalPodAutoscaler', 'query');
    if (!arrayAt(hpa, 'spec', 'metrics').some((m) => stringAt(m, 'type') === 'External'))
      say('query has no consumer-lag metric');
  } else if (set === 'ingress') {
    const ing = find('Ingress', 'gateway');
    if (
      stringAt(ing, 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'port', 'name') !== 'http'
    )
      say('no Ingress to the gateway');
    if (find('ServiceMonitor') === undefined) say('no ServiceMonitor although the operator API exists');
  } else if (set === 'external-kafka' || set === 'strimzi-tls') {
    if (configValue(objects, 'ingestion', 'KAFKA_SSL') !== 'true') say('TLS is off');
    if (!(configValue(objects, 'query', 'KAFKA_SSL_CA_FILE') ?? '').startsWith('/etc/simstream/kafka-ca/'))
      say('the CA file is not mounted');
    if (configValue(objects, 'quantum', 'KAFKA_SASL_MECHANISM') !== 'scram-sha-512')
      say('SASL is not scram-sha-512');
    const ing = find('StatefulSet', 'ingestion');
    const env = arrayAt(ing === undefined ? undefined : podSpecOf(ing), 'containers', 0, 'env');
    const password = env.find((e) => stringAt(e, 'name') === 'KAFKA_SASL_PASSWORD');
    if (at(password, 'valueFrom', 'secretKeyRef') === undefined)
      say('the SASL password does not come from a Secret');
  } else if (set === 'cert-manager') {
    problems.push(...checkCertificates(objects, set, NAMESPACE, { required: true }));
    const cert = find('Certificate', 'ingestion');
    if (!arrayAt(cert, 'spec', 'dnsNames').includes('ingest.simstream.example.com'))
      say("ingestion's certificate lacks its public host name");
    if (stringAt(cert, 'spec', 'issuerRef', 'name') !== 'simstream-ca') say('not issued by simstream-ca');
    const pub = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'simstream-ingestion-public');
    if (stringAt(pub, 'spec', 'type') !== 'LoadBalancer')
      say("ingestion's public port is not on a LoadBalancer");
    if (stringAt(pub, 'spec', 'externalTrafficPolicy') !== 'Local')
      say("ingestion's load balancer does not keep client addresses (externalTrafficPolicy Local)");
    const query = find('Deployment', 'query');
    if (
      query === undefined ||
      !(containerEnvValues(query, objects).get('GRPC_TLS_CA_FILE') ?? '').startsWith('/etc/simstream/tls-ca/')
    )
      say('the CA bundle is not the trusted CA file');
  } else if (set === 'default') {
    if (find('ServiceMonitor') !== undefined) say('a ServiceMonitor without the operator API');
    if (find('Ingress') !== undefined) say('an Ingress although it is off by default');
    if (find('Certificate') !== undefined) say('a Certificate although cert-manager is off by default');
    const gateway = find('Deployment', 'gateway');
    if (
      gateway !== undefined &&
      containerEnvValues(gateway, objects).get('INGESTION_ADDRESS') !==
        'dns:///simstream-ingestion-headless:50054'
    )
      say("the gateway does not call ingestion's internal port");
    for (const o of objects.filter((x) => x.kind === 'ConfigMap' && componentOf(x) !== undefined))
      if (stringAt(o, 'data', 'OPS_HOST') !== '0.0.0.0')
        say(`${describeObject(o)}: OPS_HOST is not 0.0.0.0 (probes and Prometheus reach the pod address)`);
  }
  return problems;
}

const NOTES_TEMPLATE = 'zz-notes-check.yaml';

/**
 * `helm install --dry-run` needs a cluster to render NOTES.txt; instead, a copy of the chart
 * carries NOTES.txt's exact text as a named template inside a ConfigMap, which `helm template`
 * renders offline with the same engine, values and functions.
 */
function chartWithRenderableNotes(chartDir: string): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-chart-'));
  cpSync(chartDir, copy, { recursive: true });
  const notes = readFileSync(path.join(copy, 'templates', 'NOTES.txt'), 'utf8');
  rmSync(path.join(copy, 'templates', 'NOTES.txt'));
  writeFileSync(
    path.join(copy, 'templates', NOTES_TEMPLATE),
    `{{- define "deploy-check.notes" -}}\n${notes}\n{{- end -}}\n` +
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-check\ndata:\n' +
      '  notes: {{ include "deploy-check.notes" . | toJson }}\n',
  );
  return copy;
}

/** Wrong values must fail `helm template` with the offending key in the message. */
export const WRONG_VALUES: readonly { set: string[]; expect: RegExp }[] = [
  { set: ['--set', 'services.ingestion.replicas=three'], expect: /\/services\/ingestion\/replicas/ },
  { set: ['--set', 'services.gatway.enabled=true'], expect: /gatway/ },
  { set: ['--set', 'kafka.sasl.mechanism=scram-sha-1'], expect: /\/kafka\/sasl\/mechanism/ },
  { set: ['--set', 'kafka.sasl.users.query.secret='], expect: /\/kafka\/sasl\/users\/query\/secret/ },
  {
    set: ['--set', 'services.query.resources.limits.memory=lots'],
    expect: /\/services\/query\/resources\/limits\/memory/,
  },
  {
    set: ['--set', 'containerSecurityContext.readOnlyRootFilesystem=false'],
    expect: /readOnlyRootFilesystem/,
  },
  { set: ['--set', 'ingress.enabled=true'], expect: /\/ingress\/hosts/ },
  { set: ['--set', 'tls.certManager.issuerRef.name='], expect: /\/tls\/certManager\/issuerRef\/name/ },
  { set: ['--set', 'secrets.auth.env.GATEWAY_X=x'], expect: /GATEWAY_X/ },
  {
    set: ['--set', 'services.ingestion.publicService.type=Ingress'],
    expect: /\/services\/ingestion\/publicService\/type/,
  },
  { set: ['--set', 'tls.duration=90 days'], expect: /\/tls\/duration/ },
  {
    set: ['--set', 'services.query.autoscaling.maxReplicas=1'],
    expect: /maxReplicas \(1\) must not be below minReplicas/,
  },
];

export function chartChecks(
  helmBin: string,
  kubeconform: string,
  chartDir: string,
  envs: ReadonlyMap<ServiceName, ServiceEnvSpec>,
): Check[] {
  const checks: Check[] = [];
  for (const set of valueSets(chartDir)) {
    checks.push({
      name: `helm lint --strict (${set.name})`,
      run: async () => {
        const r = await helm(helmBin, [
          'lint',
          '--strict',
          chartDir,
          '--kube-version',
          '1.29.0',
          ...(set.file === undefined ? [] : ['-f', set.file]),
        ]);
        return r.code === 0 ? [] : [(r.out + r.err).trim()];
      },
    });
    checks.push({
      name: `helm template + kubeconform + policy (${set.name})`,
      run: async () => {
        const r = await helm(helmBin, templateArgs(chartDir, set));
        if (r.code !== 0) return [`helm template failed: ${r.err.trim()}`];
        const objects = parseManifests(r.out, set.name);
        return [
          ...(await validateManifests(kubeconform, objects, set.name)),
          ...checkRendered(objects, envs, set.name),
          ...checkValueSetIntent(set.name, objects),
        ];
      },
    });
  }
  checks.push({
    name: 'values.schema.json rejects wrong values with the key in the message',
    run: async () => {
      const problems: string[] = [];
      for (const wrong of WRONG_VALUES) {
        const r = await helm(
          helmBin,
          templateArgs(chartDir, { name: 'default', apiVersions: [] }, wrong.set),
        );
        if (r.code === 0) problems.push(`${wrong.set.join(' ')} was accepted`);
        else if (!wrong.expect.test(r.err))
          problems.push(`${wrong.set.join(' ')}: unclear message: ${r.err.trim()}`);
      }
      return problems;
    },
  });
  checks.push({
    name: 'tls.insecure=true renders plaintext gRPC on every gRPC workload (and only then)',
    run: async () => {
      const r = await helm(
        helmBin,
        templateArgs(chartDir, { name: 'default', apiVersions: [] }, ['--set', 'tls.insecure=true']),
      );
      if (r.code !== 0) return [`helm template failed: ${r.err.trim()}`];
      const objects = parseManifests(r.out, 'insecure');
      return [
        ...checkGrpcTls(objects, 'tls.insecure=true', true),
        ...objects
          .filter((o) => o.kind === 'Certificate')
          .map((o) => `tls.insecure=true: ${describeObject(o)} rendered`),
      ];
    },
  });
  checks.push({
    name: 'NOTES.txt tells how to reach the gateway',
    run: async () => {
      const problems: string[] = [];
      const cases: { args: string[]; expect: RegExp }[] = [
        { args: [], expect: /kubectl -n simstream port-forward svc\/simstream-gateway 8080:8080/ },
        {
          args: ['--set', 'ingress.enabled=true', '--set', 'ingress.hosts[0]=simstream.example.com'],
          expect: /http:\/\/simstream\.example\.com\//,
        },
        { args: ['--set', 'services.gateway.serviceType=LoadBalancer'], expect: /loadBalancer\.ingress/ },
        {
          args: ['--set', 'tls.insecure=true'],
          expect: /WARNING: tls\.insecure=true\. gRPC runs in PLAINTEXT/,
        },
        { args: [], expect: /ingestion: simstream-ingestion-tls/ },
      ];
      const copy = chartWithRenderableNotes(chartDir);
      try {
        for (const c of cases) {
          const r = await helm(
            helmBin,
            templateArgs(copy, { name: 'default', apiVersions: [] }, [
              '--show-only',
              `templates/${NOTES_TEMPLATE}`,
              ...c.args,
            ]),
          );
          if (r.code !== 0) {
            problems.push(`rendering NOTES.txt ${c.args.join(' ')}: ${r.err.trim()}`);
            continue;
          }
          const notes = stringAt(parseManifests(r.out, 'NOTES')[0], 'data', 'notes') ?? '';
          if (!c.expect.test(notes))
            problems.push(`NOTES for ${c.args.join(' ') || 'defaults'} lack ${c.expect}`);
        }
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
      return problems;
    },
  });
  return checks;
}
