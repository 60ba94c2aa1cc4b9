/**
 * Gateway: what one tenant can do to the edge. Numeric parameters out of their domain are a
 * 400 naming the parameter (never a downstream error that opens the shared breaker); a
 * downstream INTERNAL never echoes its text; every answer, including the router's and the
 * HTTP parser's own, is problem+json; X-Request-Id is kept only in a safe form; one tenant's
 * event streams are capped (429 TOO_MANY_STREAMS) while another tenant still streams.
 * The query and quantum services are test doubles at the network boundary (gateway-harness.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../src/index.js';
import { QueryDouble, QuantumDouble, neuromorphicResult } from './gateway-doubles.js';
import {
  SseClient,
  bootstrapKey,
  call,
  startGateway,
  type GatewayProcess,
  mintKey,
} from './gateway-harness.js';

const run = randomBytes(3).toString('hex');
const TENANT_A = `ea-${run}`;
const TENANT_B = `eb-${run}`;
const SIM_A = `edge-a-${run}`;
const SIM_B = `edge-b-${run}`;
const PROBLEM = 'application/problem+json';

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    setTimeout(() => (socket.destroy(), resolve(answer)), 3000);
  });
}

describe('gateway: trust at the edge', () => {
  const query = new QueryDouble();
  const quantum = new QuantumDouble();
  let gateway: GatewayProcess;
  let keyA = '';
  let keyB = '';

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
    const admin = bootstrapKey();
    gateway = await startGateway({
      QUERY_ADDRESS: await query.start(),
      QUANTUM_ADDRESS: await quantum.start(),
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
      GATEWAY_MAX_SSE_CLIENTS_PER_TENANT: '2',
    });
    const mint = (tenant: string) => mintKey(gateway, admin, tenant, ['read', 'ingest']);
    keyA = await mint(TENANT_A);
    keyB = await mint(TENANT_B);
  });

  afterAll(async () => {
    await gateway?.stop();
    query.kill();
    quantum.stop();
  });

  it('refuses numbers out of their domain with a 400 naming the parameter; the shared breaker stays closed', async () => {
    const url = `${gateway.url}/v1/simulations/${SIM_A}/results`;
    for (let i = 0; i < 10; i++) {
      const res = await call(`${url}?from_step=99999999999999999999`, { key: keyA });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.json.violations?.[0]?.field).toBe('querystring.from_step');
    }
    expect((await call(`${url}?to_step=1e400`, { key: keyA })).status).toBe(400);
    const solve = await call(`${gateway.url}/v1/optimize`, {
      key: keyA,
      json: {
        problem: { kind: 'maxcut', variables: 2, i: [0], j: [1], value: [1] },
        params: { time_limit_ms: 4294967296 },
      },
    });
    expect(solve.status).toBe(400);
    expect(solve.json.violations?.[0]?.field).toBe('body.params.time_limit_ms');
    // Another tenant reads as before.
    expect((await call(`${gateway.url}/v1/simulations/${SIM_B}/results`, { key: keyB })).status).toBe(200);
    expect(await metricValue(gateway.opsUrl, 'simstream_breaker_state', { breaker: 'query-read' })).toBe(0);
  });

  it('never echoes a downstream INTERNAL (SQL text): a generic 502 with the request id, the cause logged', async () => {
    query.internalError = 'value "18446744073709551615" is out of range for type bigint (SQLSTATE 22003)';
    try {
      const res = await call(`${gateway.url}/v1/simulations/${SIM_A}/results`, {
        key: keyA,
        headers: { 'x-request-id': `edge-${run}` },
      });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.json.code).toBe('DOWNSTREAM_ERROR');
      expect(res.bytes.toString()).not.toMatch(/SQLSTATE|bigint|1844674/);
      expect(res.json.detail).toContain(`edge-${run}`);
      await new Promise((r) => setTimeout(r, 200));
      expect(readFileSync(gateway.logFile, 'utf8')).toMatch(/SQLSTATE 22003/);
    } finally {
      query.internalError = undefined;
    }
  });

  it('answers every error as problem+json: text/plain upload, long ids, Content-Length -1', async () => {
    const plain = await call(`${gateway.url}/v1/simulations/${SIM_A}/frames`, {
      key: keyA,
      raw: 'hello',
      type: 'text/plain',
    });
    expect(plain.status).toBe(415);
    expect(plain.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(plain.json.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    // 101–128 characters match the id pattern: an ordinary 404, not 414.
    const long = `s${'x'.repeat(119)}`;
    const notFound = await call(`${gateway.url}/v1/simulations/${long}`, { key: keyA });
    expect(notFound.status).toBe(404);
    expect(notFound.json.code).toBe('SIMULATION_NOT_FOUND');
    const tooLong = await call(`${gateway.url}/v1/simulations/${'y'.repeat(300)}`, { key: keyA });
    expect([400, 414]).toContain(tooLong.status);
    expect(tooLong.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const answer = await rawRequest(
      gateway.httpPort,
      `POST /v1/simulations/${SIM_A}/frames HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1.1 400/);
    expect(answer.toLowerCase()).toContain(`content-type: ${PROBLEM}`);
    expect(answer).toContain('"code":"MALFORMED_REQUEST"');
  });

  it('keeps a safe X-Request-Id and replaces an unsafe one', async () => {
    const safe = await call(`${gateway.url}/v1/simulations`, {
      key: keyA,
      headers: { 'x-request-id': 'abc-1.2:3' },
    });
    expect(safe.headers.get('x-request-id')).toBe('abc-1.2:3');
    const unsafe = await call(`${gateway.url}/v1/simulations`, {
      key: keyA,
      headers: { 'x-request-id': `evil"} {"level":60 ${'z'.repeat(200)}` },
    });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("caps one tenant's event streams (429 TOO_MANY_STREAMS, Retry-After) while another tenant streams", async () => {
    const url = (sim: string) => `${gateway.url}/v1/simulations/${sim}/results/stream`;
    const a1 = new SseClient(url(SIM_A), keyA);
    const a2 = new SseClient(url(SIM_A), keyA);
    await a1.until(() => a1.status === 200);
    await a2.until(() => a2.status === 200);
    const third = await call(url(SIM_A), { key: keyA, headers: { accept: 'text/event-stream' } });
    expect(third.status).toBe(429);
    expect(third.json).toMatchObject({ code: 'TOO_MANY_STREAMS', retriable: true });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    const b = new SseClient(url(SIM_B), keyB);
    await b.until(() => b.status === 200);
    await a1.close();
    const again = new SseClient(url(SIM_A), keyA);
    await again.until(() => again.status === 200 || again.ended);
    expect(again.status).toBe(200);
    await Promise.all([a2.close(), b.close(), again.close()]);
  });
});
