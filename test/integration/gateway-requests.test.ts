/**
 * Gateway: requests it refuses and documents. Malformed requests each with its precise
 * problem+json (bad JSON, schema violations, wrong content type, too large, unknown route, wrong
 * method, downstream INVALID_ARGUMENT); bounded upload memory; /openapi.json (every route
 * documented, every $ref resolvable), /docs and the dashboard.
 * The query and quantum services are test doubles at the network boundary (gateway-doubles.ts).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../src/index.js';
import { QueryDouble, QuantumDouble } from './gateway-doubles.js';
import { bootstrapKey, call, startGateway, waitFor, type GatewayProcess } from './gateway-harness.js';

const run = randomBytes(3).toString('hex');
const TENANT_A = `ta-${run}`;
const SIM_A = `req-a-${run}`;
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

describe('gateway: malformed requests, limits, OpenAPI', () => {
  const query = new QueryDouble();
  const quantum = new QuantumDouble();
  let gateway: GatewayProcess;
  const keys: Record<string, { secret: string }> = {};

  beforeAll(async () => {
    query.addSimulation(SIM_A, TENANT_A);
    const admin = bootstrapKey();
    gateway = await startGateway({
      QUERY_ADDRESS: await query.start(),
      QUANTUM_ADDRESS: await quantum.start(),
      INGESTION_ADDRESS: '127.0.0.1:9', // not used here
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
      GATEWAY_MAX_REQUEST_BYTES: '64KiB',
      GATEWAY_MAX_JSON_FRAMES_BYTES: '256KiB',
      GATEWAY_MAX_UPLOAD_INFLIGHT_BYTES: '300KiB',
    });
    const res = await call(`${gateway.url}/v1/admin/keys`, {
      key: admin,
      json: { name: 'req', scopes: ['read', 'ingest'], tenant: TENANT_A },
    });
    keys['a-reader'] = { secret: res.json.secret! };
  });

  afterAll(async () => {
    await gateway?.stop();
    query.kill();
    quantum.stop();
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
