/**
 * The programs and schemas the checks need, installed by the repository itself into
 * .cache/deploy-check (git-ignored, kept between runs), from package registries only:
 * - helm, kubeconform, kustomize: `go install` at pinned versions (Go module proxy, @simstream/go-tools);
 * - deploy-lint (./go): compose-go and BuildKit's Dockerfile parser, `go build` from go.sum;
 * - Kubernetes schemas: the kubernetes-validate wheel (PyPI), pinned by sha256;
 * - Strimzi CRDs: io.strimzi:api tests jar (Maven Central), pinned by sha256.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '@simstream/errors';
import { ensureGoTool, toolCacheDir as cacheDir } from '@simstream/go-tools';
import { runProgram } from '@simstream/toolchain';
import { parseAllDocuments } from 'yaml';
import { ToolUnavailableError } from './errors.js';
import { bundleKindSchema, crdSchemas, kindSchemaName } from './k8s-schemas.js';
import { repoRoot } from './repo.js';

export const KUBERNETES_SCHEMAS = {
  pypiPackage: 'kubernetes-validate',
  version: '1.37.0',
  wheel: 'kubernetes_validate-1.37.0-py3-none-any.whl',
  sha256: '85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9',
} as const;

/** The tests jar carries the CRDs the api module is tested against (the operator's own). */
export const STRIMZI_CRDS = {
  coordinates: 'io.strimzi:api:0.51.0:tests',
  mavenPath: 'io/strimzi/api/0.51.0/api-0.51.0-tests.jar',
  sha256: 'b99f69303dc507ca505b74345d93f5260621bb084b8b79447f726e54b6e66a1d',
  /** Members of the jar holding the kafka.strimzi.io/v1 CRDs. */
  prefix: 'crds/v1/',
} as const;

const DEFAULT_MAVEN_REPO = 'https://repo.maven.apache.org/maven2';

export interface Tools {
  readonly helm: string;
  readonly kubeconform: string;
  readonly kustomize: string;
  readonly deployLint: string;
}

function log(message: string): void {
  process.stderr.write(`deploy-check: ${message}\n`);
}

async function must(command: string, args: string[], what: string, cwd?: string): Promise<string> {
  let result;
  try {
    result = await runProgram(command, args, { cwd });
  } catch (error) {
    throw new ToolUnavailableError(`${what}: ${messageOf(error)}`, error);
  }
  if (result.code !== 0)
    throw new ToolUnavailableError(
      `${what} failed (exit ${result.code}):\n${result.stderr || result.stdout}`,
    );
  return result.stdout;
}

/** Builds ./go (deploy-lint); the binary is named by a hash of its sources, so edits rebuild it. */
export async function ensureDeployLint(cache = cacheDir(), root = repoRoot()): Promise<string> {
  const src = path.join(root, 'tools', 'deploy-check', 'go');
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'cmd/deploy-lint/main.go'])
    hash.update(readFileSync(path.join(src, file)));
  const binary = path.join(cache, 'bin', `deploy-lint-${hash.digest('hex').slice(0, 12)}`, 'deploy-lint');
  if (existsSync(binary)) return binary;
  log('building deploy-lint (compose-go, BuildKit parser; once)');
  const result = await runProgram('go', ['build', '-trimpath', '-o', binary, './cmd/deploy-lint'], {
    cwd: src,
    env: { ...process.env, CGO_ENABLED: '0' },
  });
  if (result.code !== 0) throw new ToolUnavailableError(`go build deploy-lint failed:\n${result.stderr}`);
  return binary;
}

export async function ensureTools(cache = cacheDir()): Promise<Tools> {
  // One at a time: parallel Go builds on two shared cores only thrash.
  const helm = await ensureGoTool('helm', cache);
  const kubeconform = await ensureGoTool('kubeconform', cache);
  const kustomize = await ensureGoTool('kustomize', cache);
  const deployLint = await ensureDeployLint(cache);
  return { helm, kubeconform, kustomize, deployLint };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Extracts members of a zip (wheel, jar) whose names start with one of `prefixes`. */
async function unzip(archive: string, target: string, prefixes: readonly string[]): Promise<void> {
  const script =
    'import sys, zipfile\n' +
    'z = zipfile.ZipFile(sys.argv[1])\n' +
    'for n in z.namelist():\n' +
    '    if any(n.startswith(p) for p in sys.argv[3:]): z.extract(n, sys.argv[2])\n';
  await must('python3', ['-c', script, archive, target, ...prefixes], `extracting ${path.basename(archive)}`);
}

/** The kubernetes-validate wheel's "local-strict" schema folder for a Kubernetes version. */
async function kubernetesSchemaSource(version: string, cache: string): Promise<string> {
  const base = path.join(cache, 'kubernetes-validate', KUBERNETES_SCHEMAS.version);
  const folder = path.join(base, 'kubernetes_validate', 'kubernetes-json-schema', `v${version}-local-strict`);
  if (existsSync(path.join(folder, '_definitions.json'))) return folder;
  const wheel = path.join(base, KUBERNETES_SCHEMAS.wheel);
  if (!existsSync(wheel) || sha256(wheel) !== KUBERNETES_SCHEMAS.sha256) {
    log(`downloading ${KUBERNETES_SCHEMAS.pypiPackage} ${KUBERNETES_SCHEMAS.version} from PyPI (schemas)`);
    mkdirSync(base, { recursive: true });
    await must(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--quiet',
        '--no-deps',
        '--only-binary=:all:',
        '--dest',
        base,
        `${KUBERNETES_SCHEMAS.pypiPackage}==${KUBERNETES_SCHEMAS.version}`,
      ],
      'pip download',
    );
    const actual = sha256(wheel);
    if (actual !== KUBERNETES_SCHEMAS.sha256)
      throw new ToolUnavailableError(
        `${KUBERNETES_SCHEMAS.wheel}: sha256 ${actual}, expected ${KUBERNETES_SCHEMAS.sha256}`,
      );
  }
  await unzip(wheel, base, [`kubernetes_validate/kubernetes-json-schema/v${version}-local-strict/`]);
  if (!existsSync(path.join(folder, '_definitions.json')))
    throw new ToolUnavailableError(`${KUBERNETES_SCHEMAS.wheel} has no schemas for Kubernetes ${version}`);
  return folder;
}

/**
 * Writes standalone strict schemas for `kinds` (apiVersion, kind) of Kubernetes `version` into
 * `<root>/v<version>-standalone-strict/`, the layout kubeconform's default location uses.
 * Kinds that Kubernetes does not define (custom resources) are left to the CRD schemas.
 */
export async function ensureKubernetesSchemas(
  version: string,
  kinds: readonly { apiVersion: string; kind: string }[],
  cache = cacheDir(),
): Promise<string> {
  const root = path.join(cache, 'schemas');
  const out = path.join(root, `v${version}-standalone-strict`);
  mkdirSync(out, { recursive: true });
  const missing = kinds
    .map((k) => kindSchemaName(k.apiVersion, k.kind))
    .filter((name, i, all) => all.indexOf(name) === i && !existsSync(path.join(out, `${name}.json`)));
  if (missing.length === 0) return root;
  const source = await kubernetesSchemaSource(version, cache);
  const definitions = JSON.parse(readFileSync(path.join(source, '_definitions.json'), 'utf8')) as Parameters<
    typeof bundleKindSchema
  >[1];
  for (const name of missing) {
    const file = path.join(source, `${name}.json`);
    if (!existsSync(file)) continue;
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof bundleKindSchema>[0];
    writeFileSync(path.join(out, `${name}.json`), JSON.stringify(bundleKindSchema(schema, definitions)));
  }
  return root;
}

/** Strimzi's v1 CRD schemas in kubeconform's `<group>/<kind>_<version>.json` layout. */
export async function ensureStrimziSchemas(cache = cacheDir()): Promise<string> {
  const root = path.join(cache, 'crd-schemas');
  const stamp = path.join(root, `.strimzi-${STRIMZI_CRDS.sha256.slice(0, 12)}`);
  if (existsSync(stamp)) return root;
  const jarDir = path.join(cache, 'maven');
  const jar = path.join(jarDir, path.basename(STRIMZI_CRDS.mavenPath));
  if (!existsSync(jar) || sha256(jar) !== STRIMZI_CRDS.sha256) {
    const repo = (process.env.SIMSTREAM_MAVEN_REPO ?? DEFAULT_MAVEN_REPO).replace(/\/+$/, '');
    log(`downloading ${STRIMZI_CRDS.coordinates} from Maven Central (Strimzi CRDs)`);
    mkdirSync(jarDir, { recursive: true });
    const response = await fetch(`${repo}/${STRIMZI_CRDS.mavenPath}`).catch((error: unknown) => {
      throw new ToolUnavailableError(`cannot download ${STRIMZI_CRDS.coordinates}`, error);
    });
    if (!response.ok)
      throw new ToolUnavailableError(`${STRIMZI_CRDS.coordinates}: HTTP ${response.status} from ${repo}`);
    const body = Buffer.from(await response.arrayBuffer());
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== STRIMZI_CRDS.sha256)
      throw new ToolUnavailableError(
        `${STRIMZI_CRDS.coordinates}: sha256 ${actual}, expected ${STRIMZI_CRDS.sha256}`,
      );
    writeFileSync(jar + '.part', body);
    renameSync(jar + '.part', jar);
  }
  const extracted = path.join(cache, 'strimzi-crds');
  rmSync(extracted, { recursive: true, force: true });
  await unzip(jar, extracted, [STRIMZI_CRDS.prefix]);
  const crdDir = path.join(extracted, STRIMZI_CRDS.prefix);
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(crdDir, file), 'utf8'))) {
      for (const { path: rel, schema } of crdSchemas(doc.toJS() as Parameters<typeof crdSchemas>[0])) {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), JSON.stringify(schema));
      }
    }
  }
  writeFileSync(stamp, STRIMZI_CRDS.coordinates + '\n');
  return root;
}
