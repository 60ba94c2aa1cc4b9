/**
 * docker-compose.yml (validated and resolved by compose-go, the loader of `docker compose`,
 * offline), the Dockerfiles (parsed by BuildKit's frontend) and the production trees that the
 * images' `pnpm deploy` stage produces (built here and imported, without an engine).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Check } from './check.js';
import { volumeMounts, type ComposeModel, type ComposeService } from './compose-model.js';
import { checkDockerfile, type ParsedDockerfile } from './dockerfile-policy.js';
import { SERVICES, type ServiceName } from './repo.js';
import { resolvePnpm, runProgram } from '@simstream/toolchain';
import { checkServiceEnv, serviceExists, type ServiceEnvSpec } from './service-env.js';
import { GRPC_SERVICES, TLS_FILE_VARS } from './tls-checks.js';

export const OPS_PORTS: Readonly<Record<ServiceName, number>> = {
  ingestion: 9101,
  neuromorphic: 9102,
  quantum: 9103,
  query: 9104,
  gateway: 9105,
};

/** One-shot services: they exit 0 when done, and others wait for that. */
export const ONE_SHOT = ['migrate', 'certs'];

/** A gRPC service speaks TLS with files from a read-only mount, never GRPC_INSECURE. */
export function checkComposeTls(svc: string, s: ComposeService): string[] {
  const problems: string[] = [];
  if (s.environment.GRPC_INSECURE === 'true') problems.push(`${svc} sets GRPC_INSECURE=true`);
  const mounts = volumeMounts(s);
  for (const name of TLS_FILE_VARS) {
    const file = s.environment[name];
    if (file === undefined || file === null || file === '') {
      problems.push(`${svc} does not set ${name}`);
      continue;
    }
    const mount = mounts.find((m) => file.startsWith(`${m.target.replace(/\/+$/, '')}/`));
    if (mount === undefined) problems.push(`${svc}: ${name}=${file} is not on a mounted volume`);
    else if (!mount.readOnly) problems.push(`${svc}: ${mount.target} is not mounted read-only`);
  }
  return problems;
}

/** Compose rules: healthchecks, ordered start, hardened containers, env in sync, gRPC over TLS. */
export function checkCompose(
  model: ComposeModel,
  envs: ReadonlyMap<ServiceName, ServiceEnvSpec>,
  root: string,
  label: string,
): string[] {
  const problems: string[] = [];
  const say = (msg: string) => problems.push(`${label}: ${msg}`);
  for (const [name, s] of Object.entries(model.services)) {
    if (s.healthcheck?.test === undefined && !ONE_SHOT.includes(name)) say(`${name} has no healthcheck`);
    for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
      const target = model.services[dep];
      if (target === undefined) say(`${name} depends on unknown ${dep}`);
      const want = ONE_SHOT.includes(dep) ? 'service_completed_successfully' : 'service_healthy';
      if (d.condition !== want)
        say(`${name} waits for ${dep} with ${d.condition ?? 'no condition'}, not ${want}`);
    }
    if (
      s.build?.dockerfile !== undefined &&
      !existsSync(path.join(root, s.build.dockerfile)) &&
      serviceExists(name as ServiceName, root)
    )
      say(`${name} builds from missing ${s.build.dockerfile}`);
  }
  for (const svc of SERVICES) {
    const s = model.services[svc];
    if (s === undefined) {
      say(`no ${svc} service`);
      continue;
    }
    if (s.read_only !== true) say(`${svc} root filesystem is not read-only`);
    if (!(s.cap_drop ?? []).includes('ALL')) say(`${svc} does not drop all capabilities`);
    if (
      s.build?.dockerfile !== `services/${svc}/Dockerfile` &&
      s.build?.dockerfile !== `services/${svc}/Dockerfile.gpu`
    )
      say(`${svc} is not built from services/${svc}/Dockerfile`);
    if (s.environment.OPS_PORT !== String(OPS_PORTS[svc])) say(`${svc} OPS_PORT is not ${OPS_PORTS[svc]}`);
    if (Object.keys(s.depends_on ?? {}).length === 0) say(`${svc} starts without waiting for anything`);
    problems.push(...checkServiceEnv(envs.get(svc)!, Object.keys(s.environment), label));
    if (GRPC_SERVICES.includes(svc)) for (const p of checkComposeTls(svc, s)) say(p);
  }
  for (const infra of ['kafka', 'postgres', 'redis', 'influxdb', 'prometheus', 'grafana'])
    if (model.services[infra] === undefined) say(`no ${infra} service`);
  return problems;
}

/** Prometheus scrapes every service's ops port. */
export function checkPrometheusTargets(config: string): string[] {
  return SERVICES.filter((svc) => !config.includes(`'${svc}:${OPS_PORTS[svc]}'`)).map(
    (svc) => `deploy/prometheus/prometheus.yml does not scrape ${svc}:${OPS_PORTS[svc]}`,
  );
}

export function imageChecks(
  deployLint: string,
  root: string,
  envs: ReadonlyMap<ServiceName, ServiceEnvSpec>,
  parseCompose: (json: string) => ComposeModel,
): Check[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { packageManager: string };
  const compute = JSON.parse(readFileSync(path.join(root, 'libs', 'compute', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const present = SERVICES.filter((s) => serviceExists(s, root));
  return [
    ...[['docker-compose.yml'], ['docker-compose.yml', 'deploy/compose/gpu.yml']].map((files) => ({
      name: `compose-go: ${files.join(' + ')}`,
      run: async () => {
        const r = await runProgram(deployLint, ['compose', ...files.map((f) => path.join(root, f))]);
        if (r.code !== 0) return [r.stderr.trim()];
        const model = parseCompose(r.stdout);
        const problems = checkCompose(model, envs, root, files.join(' + '));
        if (
          files.length > 1 &&
          model.services.neuromorphic?.environment.SIMSTREAM_TF_BACKEND !== 'tensorflow-gpu'
        )
          problems.push('the GPU override does not select tensorflow-gpu');
        return [
          ...problems,
          ...checkPrometheusTargets(
            readFileSync(path.join(root, 'deploy/prometheus/prometheus.yml'), 'utf8'),
          ),
        ];
      },
    })),
    {
      name: `Dockerfiles (BuildKit parser) of ${present.join(', ')}`,
      run: async () => {
        const files = present.flatMap((svc) => {
          const dir = path.join(root, 'services', svc);
          return readdirSync(dir)
            .filter((f) => f.startsWith('Dockerfile'))
            .map((f) => ({ svc, file: path.join(dir, f) }));
        });
        const problems = present
          .filter((svc) => !files.some((f) => f.svc === svc && f.file.endsWith('Dockerfile')))
          .map((svc) => `services/${svc} has no Dockerfile`);
        if (files.length === 0) return problems;
        const r = await runProgram(deployLint, ['dockerfile', ...files.map((f) => f.file)]);
        if (r.code !== 0) return [...problems, r.stderr.trim()];
        const parsed = JSON.parse(r.stdout) as ParsedDockerfile[];
        for (const [i, d] of parsed.entries()) {
          const { svc, file } = files[i]!;
          problems.push(
            ...checkDockerfile(
              { ...d, file: path.relative(root, file) },
              {
                service: svc,
                pnpmVersion: pkg.packageManager.split('@')[1] ?? '',
                opsPort: OPS_PORTS[svc],
                tfjsVersion: compute.dependencies['@tensorflow/tfjs-core'],
                gpu: file.endsWith('.gpu'),
              },
            ),
          );
        }
        return problems;
      },
    },
    {
      name: `pnpm deploy production trees load (${present.join(', ')})`,
      run: async () => {
        const problems: string[] = [];
        const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-tree-'));
        // pnpm 10's legacy deploy links the bins of some dependencies (apache-arrow's) into
        // services/<name of the target's parent>/ in the workspace; that folder would break
        // `tsc -b services/*`, so it is removed with the target (never one that existed before).
        const stray = path.join(root, 'services', path.basename(dir));
        const strayExisted = existsSync(stray);
        try {
          // pnpm as ./dev runs it: a fresh machine has no pnpm on PATH. --prefer-offline, not
          // --offline: legacy deploy resolves again, and a fresh machine has no metadata cache.
          const pnpm = await resolvePnpm(root);
          for (const svc of present) {
            const out = path.join(dir, svc);
            const d = await runProgram(
              pnpm.command,
              [
                ...pnpm.args,
                '--filter',
                `@simstream/${svc}`,
                'deploy',
                '--prod',
                '--legacy',
                '--prefer-offline',
                out,
              ],
              { cwd: root },
            );
            if (d.code !== 0) {
              const said = d.stderr.trim() || d.stdout.trim() || '(it printed nothing)';
              problems.push(`pnpm deploy ${svc} failed (exit ${d.code}, pnpm via ${pnpm.via}): ${said}`);
              continue;
            }
            const mains = svc === 'query' ? ['dist/main.js', 'dist/migrate.js'] : ['dist/main.js'];
            for (const m of mains)
              if (!existsSync(path.join(out, m))) problems.push(`${svc}: the image's ${m} is missing`);
            // The production tree alone must resolve the service's whole module graph.
            const load = await runProgram(
              process.execPath,
              [
                '--input-type=module',
                '-e',
                `await import(${JSON.stringify(path.join(out, 'dist', 'index.js'))})`,
              ],
              { cwd: out },
            );
            if (load.code !== 0)
              problems.push(
                `${svc}: the deployed tree does not load: ${load.stderr.trim().split('\n').slice(0, 5).join(' | ')}`,
              );
            const pnpmDir = path.join(out, 'node_modules', '.pnpm');
            const proto = readdirSync(pnpmDir).find((d) => d.startsWith('@simstream+proto'));
            if (
              proto !== undefined &&
              !existsSync(path.join(pnpmDir, proto, 'node_modules', '@simstream', 'proto', 'simstream', 'v1'))
            )
              problems.push(`${svc}: the .proto files are not in the deployed tree`);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
          if (!strayExisted) rmSync(stray, { recursive: true, force: true });
        }
        return problems;
      },
    },
  ];
}
