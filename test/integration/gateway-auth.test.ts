/**
 * Gateway: who may do what. API keys (created by the bootstrap admin, stored hashed in the real
 * Postgres) with missing / invalid / revoked / wrong-scope cases; JWTs valid, expired and forged;
 * tenant isolation (A's key never sees B's simulation, even when the downstream leaks it);
 * malformed requests each with its precise problem+json; /docs and /openapi.json.
 * The query and quantum services are test doubles at the network boundary (gateway-harness.ts).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@simstream/storage';
import { endpoints } from '@simstream/infra';
import { metricValue } from '../src/index.js';
import {
  QueryDouble,
  QuantumDouble,
  SseClient,
  bootstrapKey,
  call,
  jwtHs256,
  neuromorphicResult,
  startGateway,
  waitFor,
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

interface Operation {
  summary?: string;
  security?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
  requestBody?: { content: Record<string, unknown> };
}
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

describe('gateway: authentication, tenants, malformed requests, OpenAPI', () => {
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
      GATEWAY_MAX_REQUEST_BYTES: '64KiB',
      GATEWAY_MAX_JSON_FRAMES_BYTES: '256KiB',
      GATEWAY_MAX_UPLOAD_INFLIGHT_BYTES: '300KiB',
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
    expect(rows[0]!.secret_hash).not.toContain(keys['a-reader']!.secret.split('_')[2]!);
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

  it('answers malformed requests each with its precise problem document', async () => {
    const key = keys['a-reader']!.secret;
    const frames = `${gateway.url}/v1/simulations/${SIM_A}/frames`;
    const badJson = await call(frames, { key, raw: '{"frames": [', type: 'application/json' });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('content-type')).toBe(problemType);
    expect(badJson.json.code).toBe('MALFORMED_JSON');

    const schema = await call(frames, {
      key,
      json: {
        frames: [
          {
            step: -1,
            sim_time: 0,
            fields: [{ name: 'u', dtype: 'float128', shape: [1], data: '' }],
            extra: 1,
          },
        ],
      },
    });
    expect(schema.status).toBe(400);
    expect(schema.json.code).toBe('INVALID_ARGUMENT');
    expect(schema.json.violations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'body.frames[0].step', reason: 'SCHEMA_MINIMUM' }),
        expect.objectContaining({ field: 'body.frames[0].fields[0].dtype', reason: 'SCHEMA_ENUM' }),
        expect.objectContaining({ field: 'body.frames[0].extra', reason: 'SCHEMA_ADDITIONAL_PROPERTIES' }),
      ]),
    );

    const query_ = await call(`${gateway.url}/v1/simulations/${SIM_A}/results?limit=5000&kind=magic`, {
      key,
    });
    expect(query_.status).toBe(400);
    expect(query_.json.violations!.map((v: { field: string }) => v.field).sort()).toEqual([
      'querystring.kind',
      'querystring.limit',
    ]);

    const wrongType = await call(frames, { key, raw: 'step,u\n1,2\n', type: 'text/csv' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const arrowElsewhere = await call(`${gateway.url}/v1/optimize`, {
      key,
      raw: Buffer.alloc(8),
      type: 'application/vnd.apache.arrow.stream',
    });
    expect(arrowElsewhere.status).toBe(415);

    const tooLarge = await call(frames, {
      key,
      raw: JSON.stringify({ frames: [], pad: 'x'.repeat(300 * 1024) }),
      type: 'application/json',
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json.code).toBe('BODY_TOO_LARGE');
    const problemTooLarge = await call(`${gateway.url}/v1/optimize`, {
      key,
      json: { problem: { kind: 'ising', variables: 2, linear: Array(20_000).fill(0.5) } },
    });
    expect(problemTooLarge.status).toBe(413);

    const unknown = await call(`${gateway.url}/v2/nothing`, { key });
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe('ROUTE_NOT_FOUND');
    const method = await call(`${gateway.url}/v1/simulations/${SIM_A}`, { method: 'DELETE', key });
    expect(method.status).toBe(405);
    expect(method.json.code).toBe('METHOD_NOT_ALLOWED');
    expect(method.headers.get('allow')).toBe('GET, HEAD');

    const badId = await call(`${gateway.url}/v1/simulations/Bad%20Id`, { key });
    expect(badId.status).toBe(400);
    expect(badId.json.violations![0]).toMatchObject({ field: 'params.id', reason: 'SCHEMA_PATTERN' });

    // A downstream INVALID_ARGUMENT keeps its reason and field violations.
    const downstream = await call(`${gateway.url}/v1/optimize`, {
      key,
      json: { problem: { kind: 'ising', variables: 5000 } },
    });
    expect(downstream.status).toBe(400);
    expect(downstream.json).toMatchObject({
      code: 'OUT_OF_RANGE',
      violations: [{ field: 'problem.variables', reason: 'OUT_OF_RANGE', description: 'at most 1000 here' }],
    });
  });

  it('bounds the upload bytes held at once: past the budget, 503 UPLOADS_BUSY before the body is read', async () => {
    const key = keys['a-reader']!.secret;
    // A slow client: headers announce 250 KiB, the body trickles (the reservation is held).
    const slow = http.request(`${gateway.url}/v1/simulations/${SIM_A}/frames`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'content-length': String(250 * 1024),
      },
    });
    slow.on('error', () => undefined);
    slow.write('{"frames": [');
    await waitFor('the slow upload to hold its bytes', async () =>
      (await metricValue(gateway.opsUrl, 'simstream_gateway_upload_inflight_bytes')) > 0 ? true : undefined,
    );
    const busy = await call(`${gateway.url}/v1/simulations/${SIM_A}/frames`, {
      key,
      raw: JSON.stringify({ frames: [{ step: 0, sim_time: 0, fields: [], pad: 'x'.repeat(100 * 1024) }] }),
      type: 'application/json',
    });
    expect(busy.status).toBe(503);
    expect(busy.json).toMatchObject({ code: 'UPLOADS_BUSY', retriable: true });
    expect(busy.headers.get('retry-after')).toBe('1');
    slow.destroy();
    await waitFor('the bytes to be released', async () =>
      (await metricValue(gateway.opsUrl, 'simstream_gateway_upload_inflight_bytes')) === 0 ? true : undefined,
    );
    const after = await call(`${gateway.url}/v1/simulations/${SIM_A}/frames`, {
      key,
      raw: '{"frames": [',
      type: 'application/json',
    });
    expect(after.json.code).toBe('MALFORMED_JSON');
  });

  it('serves an OpenAPI 3.1 document describing every route, and the docs UI', async () => {
    const doc = await call(`${gateway.url}/openapi.json`);
    expect(doc.status).toBe(200);
    const spec = doc.json as unknown as OpenApi;
    expect(spec.openapi).toBe('3.1.0');
    const operations = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /v1/simulations',
        'GET /v1/simulations/{id}',
        'GET /v1/simulations/{id}/results',
        'GET /v1/simulations/{id}/results/stream',
        'POST /v1/simulations/{id}/frames',
        'POST /v1/optimize',
        'POST /v1/jobs',
        'GET /v1/jobs/{id}',
        'DELETE /v1/jobs/{id}',
        'POST /v1/admin/keys',
        'GET /v1/admin/keys',
        'DELETE /v1/admin/keys/{id}',
      ].sort(),
    );
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Every operation: a summary, security, a success answer and problem answers; every $ref resolves.
    for (const [path, ops] of Object.entries(spec.paths))
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        expect(op.summary, where).toBeTruthy();
        expect(op.security, where).toEqual([{ bearerAuth: [] }]);
        expect(
          Object.keys(op.responses).some((s) => s.startsWith('2')),
          where,
        ).toBe(true);
        expect(op.responses['401']?.content?.['application/problem+json'], where).toBeDefined();
      }
    const refs = [...JSON.stringify(spec).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(spec.components.schemas[ref], ref).toBeDefined();
    const frames = spec.paths['/v1/simulations/{id}/frames']!.post!;
    expect(Object.keys(frames.requestBody!.content).sort()).toEqual([
      'application/avro',
      'application/json',
      'application/vnd.apache.arrow.stream',
    ]);
    const ui = await fetch(`${gateway.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
    const dashboard = await fetch(`${gateway.url}/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
