import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkGeneratedSecrets, checkHelmfile, secretLiterals } from './helmfile-checks.js';
import type { K8sObject } from './manifests.js';
import { repoRoot } from './repo.js';

const dir = path.join(repoRoot(), 'deploy');
type Doc = {
  releases: { name: string; chart: string; version?: string; needs?: string[]; values?: unknown[] }[];
};
const helmfile = (): Doc => parse(readFileSync(path.join(dir, 'helmfile.yaml'), 'utf8')) as Doc;
const release = (doc: Doc, name: string) => doc.releases.find((r) => r.name === name)!;

describe('deploy/helmfile.yaml', () => {
  it('passes as committed', () => {
    expect(checkHelmfile(helmfile(), dir)).toEqual([]);
  });

  it('refuses an unpinned operator and a Strimzi other than the CRDs checked', () => {
    const doc = helmfile();
    release(doc, 'keda').version = '^2.18';
    release(doc, 'strimzi').version = '0.45.0';
    const problems = checkHelmfile(doc, dir).join('\n');
    expect(problems).toMatch(/kedacore\/keda is not pinned to an exact version \(got \^2.18\)/);
    expect(problems).toMatch(
      /Strimzi 0.45.0 but k8s\/ is validated against the CRDs of io.strimzi:api:0.51.0:tests/,
    );
  });

  it('refuses the chart before its prerequisites', () => {
    const doc = helmfile();
    release(doc, 'simstream').needs = [
      'keda/keda',
      'cert-manager/cert-manager',
      'simstream/simstream-secrets',
    ];
    expect(checkHelmfile(doc, dir)).toEqual([
      'release simstream/simstream (../helm/simstream) does not come after ../k8s/overlays/production',
    ]);
  });

  it('refuses a need on no release, and a cycle', () => {
    const doc = helmfile();
    release(doc, 'simstream-prerequisites').needs = [
      'strimzi/strimzi',
      'cert-manager/certmanager',
      'simstream/simstream-secrets',
    ];
    release(doc, 'simstream-secrets').needs = ['simstream/simstream-prerequisites'];
    const problems = checkHelmfile(doc, dir).join('\n');
    expect(problems).toMatch(/needs cert-manager\/certmanager, which is no release here/);
    expect(problems).toMatch(/simstream\/simstream-secrets: its needs form a cycle/);
  });

  it('refuses a secret literal in values and a missing values file', () => {
    const doc = helmfile();
    release(doc, 'simstream').values = [{ secrets: { auth: { password: 'hunter2' } } }, 'helmfile/nope.yaml'];
    const problems = checkHelmfile(doc, dir).join('\n');
    expect(problems).toMatch(/values.secrets.auth.password holds a secret literal/);
    expect(problems).toMatch(/values file helmfile\/nope.yaml is missing/);
    expect(
      secretLiterals({ kafka: { sasl: { existingSecret: 'simstream', passwordKey: 'password' } } }),
    ).toEqual([]);
  });
});

describe('generated Secrets', () => {
  const values = {
    secrets: {
      postgres: {
        name: 'simstream-postgres',
        urlKey: 'database-url',
        pooledUrlKey: 'database-pooled-url',
        pgbouncerUserlistKey: 'pgbouncer-userlist',
      },
      redis: { name: 'simstream-redis', urlKey: 'redis-url' },
      influxdb: { name: 'simstream-influxdb', tokenKey: 'token' },
      auth: { name: 'simstream-auth', env: { JWT_SECRET: 'jwt-secret' } },
    },
  };
  const secret = (name: string, keys: string[], keep = true): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, annotations: keep ? { 'helm.sh/resource-policy': 'keep' } : {} },
    stringData: Object.fromEntries(keys.map((k) => [k, 'x'])),
  });
  it('refuses a missing key, a missing Secret and one deleted on uninstall', () => {
    const objects = [
      secret('simstream-postgres', ['password', 'database-pooled-url']),
      secret('simstream-redis', ['password', 'redis-url'], false),
      secret('simstream-influxdb', ['admin-password', 'token']),
    ];
    expect(checkGeneratedSecrets(objects, values)).toEqual([
      'Secret simstream-postgres lacks database-url',
      'Secret simstream-postgres lacks pgbouncer-userlist',
      'no Secret simstream-auth',
      'Secret/simstream-redis is not kept on uninstall (helm.sh/resource-policy: keep)',
    ]);
  });
});
