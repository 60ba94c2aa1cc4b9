/**
 * Gateway: who may do what. API keys (created by the bootstrap admin, stored hashed in the real
 * Postgres) with missing / invalid / revoked / wrong-scope cases; JWTs valid, expired and forged;
 * tenant isolation (A's key never sees B's simulation, even when the downstream leaks it).
 * The query and quantum services are test doubles at the network boundary (gateway-doubles.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiKey } from '@simstream/auth';
import { createPool, type Pool } from '@simstream/storage';
import { endpoints } from '@simstream/infra';
import { QueryDouble, QuantumDouble, neuromorphicResult } from './gateway-doubles.js';
import {
  SseClient,
  bootstrapKey,
  call,
  jwtHs256,
  startGateway,
  type GatewayProcess,
} from './gateway-harness.js';

const run = randomBytes(3).toString('hex');
const OPERATOR = `op-${run}`;
const TENANT_A = `ta-${run}`;
const TENANT_B = `tb-${run}`;
const JWT_SECRET = randomBytes(32).toString('hex');
const SIM_A = `auth-a-${run}`;
const SIM_B = `auth-b-${run}`;
const problemType = 'application/problem+json; charset=utf-8';

describe('gateway: authentication and tenants', () => {
  const query = new QueryDouble();
  const quantum = new QuantumDouble();
  let gateway: GatewayProcess;
  let pool: Pool;
  const admin = bootstrapKey();
  const keys: Record<string, { key_id: string; secret: string }> = {};

  async function createKey(name: string, scopes: string[], tenant: string, by = admin) {
    const res = await call(`${gateway.url}/v1/admin/keys`, { key: by, json: { name, scopes, tenant } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    keys[name] = { key_id: res.json.key!.key_id, secret: res.json.secret! };
    return res;
  }

  beforeAll(async () => {
    query.addSimulation(
      SIM_A,
      TENANT_A,
      [0, 1, 2].map((s) => neuromorphicResult(SIM_A, s)),
    );
    query.addSimulation(
      SIM_B,
      TENANT_B,
      [0, 1].map((s) => neuromorphicResult(SIM_B, s)),
    );
    gateway = await startGateway({
      QUERY_ADDRESS: await query.start(),
      QUANTUM_ADDRESS: await quantum.start(),
      INGESTION_ADDRESS: '127.0.0.1:9', // not used here
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: OPERATOR,
      JWT_SECRET,
      JWT_ISSUER: 'simstream-test',
    });
    pool = createPool({ url: endpoints().databaseUrl });
    await createKey('a-reader', ['read', 'ingest'], TENANT_A);
    await createKey('a-ingest-only', ['ingest'], TENANT_A);
    await createKey('a-admin', ['admin'], TENANT_A);
    await createKey('b-reader', ['read'], TENANT_B);
  });

  afterAll(async () => {
    await gateway?.stop();
    query.kill();
    quantum.stop();
    await pool?.end();
  });

  it('stores keys only as salted scrypt hashes, and shows the secret only at creation', async () => {
    const { rows } = await pool.query<{ secret_hash: string; tenant: string; scopes: string[] }>(
      'SELECT secret_hash, tenant, scopes FROM api_keys WHERE key_id = $1',
      [keys['a-reader']!.key_id],
    );
    expect(rows[0]).toMatchObject({ tenant: TENANT_A, scopes: ['read', 'ingest'] });
    expect(rows[0]!.secret_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    // The secret is everything after `sk_<id>_`: base64url, so it may itself hold underscores.
    const secret = parseApiKey(keys['a-reader']!.secret)!.secret;
    expect(secret).toHaveLength(43);
    expect(rows[0]!.secret_hash).not.toContain(secret);
    const list = await call(`${gateway.url}/v1/admin/keys?tenant=${TENANT_A}`, { key: admin });
    expect(list.status).toBe(200);
    expect(list.json.keys!.map((k: { name: string }) => k.name).sort()).toEqual([
      'a-admin',
      'a-ingest-only',
      'a-reader',
    ]);
    expect(JSON.stringify(list.json)).not.toContain('secret');
  });

  it('refuses missing, malformed, unknown and wrong-scope credentials with precise problems', async () => {
    const url = `${gateway.url}/v1/simulations`;
    const missing = await call(url);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toBe(problemType);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm="simstream"/);
    expect(missing.json).toMatchObject({
      type: 'urn:simstream:error:AUTH_REQUIRED',
      status: 401,
      code: 'AUTH_REQUIRED',
      instance: '/v1/simulations',
    });
    expect((await call(url, { key: 'not-a-key' })).json.code).toBe('AUTH_INVALID');
    const unknown = await call(url, { key: bootstrapKey() });
    expect(unknown.status).toBe(401);
    expect(unknown.json.code).toBe('AUTH_INVALID');
    const wrongSecret = `sk_${keys['a-reader']!.key_id}_${randomBytes(24).toString('base64url')}`;
    expect((await call(url, { key: wrongSecret })).json.code).toBe('AUTH_INVALID');
    const scope = await call(url, { key: keys['a-ingest-only']!.secret });
    expect(scope.status).toBe(403);
    expect(scope.json.code).toBe('INSUFFICIENT_SCOPE');
    expect(scope.headers.get('www-authenticate')).toContain('scope="read"');
    expect((await call(url, { key: keys['a-reader']!.secret })).status).toBe(200);
  });

  it('limits failed sign-ins per key id (429 AUTH_RATE_LIMITED, Retry-After) while the proven key goes on', async () => {
    const url = `${gateway.url}/v1/simulations`;
    await createKey('flooded', ['read'], TENANT_A);
    const { key_id, secret } = keys['flooded']!;
    expect((await call(url, { key: secret })).status).toBe(200);
    const codes: string[] = [];
    for (let i = 0; i < 12; i++)
      codes.push(
        String((await call(url, { key: `sk_${key_id}_${randomBytes(24).toString('base64url')}` })).json.code),
      );
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('AUTH_INVALID')); // AUTH_FAILURES_PER_KEY
    expect(codes.slice(10)).toEqual(['AUTH_RATE_LIMITED', 'AUTH_RATE_LIMITED']);
    const limited = await call(url, { key: `sk_${key_id}_${randomBytes(24).toString('base64url')}` });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe(problemType);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(url, { key: secret })).status).toBe(200);
  });

  it('stops accepting a revoked key at once on the replica that revoked it', async () => {
    await createKey('a-temp', ['read'], TENANT_A);
    const key = keys['a-temp']!;
    expect((await call(`${gateway.url}/v1/simulations`, { key: key.secret })).status).toBe(200);
    const revoked = await call(`${gateway.url}/v1/admin/keys/${key.key_id}`, {
      method: 'DELETE',
      key: keys['a-admin']!.secret,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.json.revoked_at).not.toBeNull();
    const after = await call(`${gateway.url}/v1/simulations`, { key: key.secret });
    expect(after.status).toBe(401);
    expect(after.json.code).toBe('AUTH_INVALID');
    // A's admin can neither revoke B's keys nor mint keys for B.
    const other = await call(`${gateway.url}/v1/admin/keys/${keys['b-reader']!.key_id}`, {
      method: 'DELETE',
      key: keys['a-admin']!.secret,
    });
    expect(other.status).toBe(404);
    expect(other.json.code).toBe('KEY_NOT_FOUND');
    const forbidden = await call(`${gateway.url}/v1/admin/keys`, {
      key: keys['a-admin']!.secret,
      json: { name: 'x', scopes: ['read'], tenant: TENANT_B },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.code).toBe('TENANT_FORBIDDEN');
  });

  it('accepts HS256 JWTs with tenant and scopes, refuses expired and forged ones', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'simstream-test', sub: 'alice', tenant: TENANT_A, scopes: ['read'], exp: now + 60 };
    const ok = await call(`${gateway.url}/v1/simulations`, { key: jwtHs256(JWT_SECRET, claims) });
    expect(ok.status).toBe(200);
    expect(ok.json.simulations!.map((s: { simulation_id: string }) => s.simulation_id)).toEqual([SIM_A]);
    const expired = await call(`${gateway.url}/v1/simulations`, {
      key: jwtHs256(JWT_SECRET, { ...claims, exp: now - 120 }),
    });
    expect(expired.status).toBe(401);
    expect(expired.json.code).toBe('AUTH_EXPIRED');
    const forged = await call(`${gateway.url}/v1/simulations`, {
      key: jwtHs256('another-secret-another-secret-xx', claims),
    });
    expect(forged.status).toBe(401);
    expect(forged.json.code).toBe('AUTH_INVALID');
    const wrongIssuer = await call(`${gateway.url}/v1/simulations`, {
      key: jwtHs256(JWT_SECRET, { ...claims, iss: 'someone-else' }),
    });
    expect(wrongIssuer.json.code).toBe('AUTH_INVALID');
    const ingestOnly = await call(`${gateway.url}/v1/simulations`, {
      key: jwtHs256(JWT_SECRET, { ...claims, scopes: ['ingest'] }),
    });
    expect(ingestOnly.status).toBe(403);
    const metrics = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/simstream_gateway_auth_failures_total\{[^}]*reason="jwt_expired"[^}]*\} 1/);
  });

  it("never shows tenant B's simulation to tenant A — even when the downstream would", async () => {
    const a = keys['a-reader']!.secret;
    for (const leak of [false, true]) {
      query.leak = leak;
      const list = await call(`${gateway.url}/v1/simulations`, { key: a });
      expect(list.json.simulations!.map((s: { simulation_id: string }) => s.simulation_id)).toEqual([SIM_A]);
      const get = await call(`${gateway.url}/v1/simulations/${SIM_B}`, { key: a });
      expect(get.status).toBe(404);
      expect(get.json.code).toBe('SIMULATION_NOT_FOUND');
      const results = await call(`${gateway.url}/v1/simulations/${SIM_B}/results`, { key: a });
      expect(results.status).toBe(404);
      const arrow = await call(`${gateway.url}/v1/simulations/${SIM_B}/results`, {
        key: a,
        headers: { accept: 'application/vnd.apache.arrow.stream' },
      });
      expect(arrow.status).toBe(404);
      const sse = new SseClient(`${gateway.url}/v1/simulations/${SIM_B}/results/stream`, a);
      await sse.until((e) => e.length > 0);
      expect(sse.status).toBe(404);
      await sse.close();
    }
    query.leak = false;
    // The same answer as for an id that does not exist at all: nothing to probe.
    const missing = await call(`${gateway.url}/v1/simulations/no-such-${run}`, { key: a });
    expect(missing.json.detail).toBe(`no simulation 'no-such-${run}' for this tenant`);
    const b = await call(`${gateway.url}/v1/simulations/${SIM_B}`, { key: keys['b-reader']!.secret });
    expect(b.status).toBe(200);
    expect(b.json).toMatchObject({ simulation_id: SIM_B, tenant: TENANT_B, frames: 2 });
    // Jobs too: B cannot read A's job.
    const job = await call(`${gateway.url}/v1/jobs`, {
      key: a,
      json: { problem: { kind: 'maxcut', variables: 4, i: [0], j: [1], value: [1] } },
    });
    expect(job.status).toBe(202);
    expect(
      (await call(`${gateway.url}/v1/jobs/${job.json.job_id}`, { key: keys['b-reader']!.secret })).json.code,
    ).toBe('JOB_NOT_FOUND');
    expect((await call(`${gateway.url}/v1/jobs/${job.json.job_id}`, { key: a })).json).toMatchObject({
      job_id: job.json.job_id,
      status: 'queued',
    });
  });
});
