/**
 * Gateway: limits and failures. Rate limits per key are shared by TWO gateway processes through
 * the real Redis (10 per minute: 6 on one, 6 on the other → the 11th and 12th get 429 with
 * Retry-After); with Redis unreachable a gateway falls back to counting in its own memory and
 * says so. The query-read breaker opens when the query server is killed (503 problems, the
 * simulation list served from its last good copy, visible in /metrics and /readyz) and closes
 * when the server comes back.
 * The query service is a test double at the network boundary (gateway-harness.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, metricValue } from '../src/index.js';
import { QueryDouble, neuromorphicResult } from './gateway-doubles.js';
import { bootstrapKey, call, startGateway, waitFor, type GatewayProcess } from './gateway-harness.js';

const run = randomBytes(3).toString('hex');
const TENANT = `tr-${run}`;
const SIM = `gw-res-${run}`;

describe('gateway: rate limits across replicas, breakers', () => {
  const query = new QueryDouble();
  const admin = bootstrapKey();
  let queryAddress = '';
  const gateways: GatewayProcess[] = [];

  async function mint(gateway: GatewayProcess): Promise<string> {
    const res = await call(`${gateway.url}/v1/admin/keys`, {
      key: admin,
      json: { name: 'res', scopes: ['read'], tenant: TENANT },
    });
    expect(res.status).toBe(201);
    return res.json.secret as string;
  }

  beforeAll(async () => {
    query.addSimulation(
      SIM,
      TENANT,
      [0, 1].map((s) => neuromorphicResult(SIM, s)),
    );
    queryAddress = await query.start();
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    query.kill();
  });

  it('enforces one limit per key across two gateway processes sharing Redis', async () => {
    const env = {
      QUERY_ADDRESS: queryAddress,
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
      GATEWAY_RATE_LIMIT: '10',
      GATEWAY_RATE_WINDOW: '1m',
    };
    const [one, two] = await Promise.all([startGateway(env), startGateway(env)]);
    gateways.push(one, two);
    const key = await mint(one);
    const statuses: number[] = [];
    for (const gateway of [one, two])
      for (let i = 0; i < 6; i++) {
        const res = await call(`${gateway.url}/v1/simulations`, { key });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(res.json).toMatchObject({ code: 'RATE_LIMITED', status: 429, retriable: true });
          // The window is the configured one, not the seconds left in it.
          expect(res.json.detail).toMatch(/10 requests per 60 s/);
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
          expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
        } else expect(res.headers.get('x-ratelimit-remaining')).toBe(String(10 - statuses.length));
      }
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    // Another key has its own budget; unauthenticated pages are not limited.
    expect((await call(`${two.url}/v1/simulations`, { key: await mint(two) })).status).toBe(200);
    expect((await fetch(`${two.url}/openapi.json`)).status).toBe(200);
    expect(await metricValue(two.opsUrl, 'simstream_gateway_rate_limited_total', { store: 'redis' })).toBe(2);
    expect(await metricValue(one.opsUrl, 'simstream_gateway_rate_limit_store', { store: 'redis' })).toBe(1);
  });

  it('opens the query breaker when the query server dies, serves the last good list meanwhile, and closes when it returns', async () => {
    // Redis unreachable for this one: its limits fall back to memory (and /readyz says so).
    const gateway = await startGateway({
      QUERY_ADDRESS: queryAddress,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
      GATEWAY_RATE_LIMIT: '40',
      GATEWAY_QUERY_TIMEOUT: '1s',
      GATEWAY_BREAKER_RESET: '1s',
    });
    gateways.push(gateway);
    const key = await mint(gateway);
    const readyz = async () => (await call(`${gateway.opsUrl}/readyz`)).json;
    const state = () => metricValue(gateway.opsUrl, 'simstream_breaker_state', { breaker: 'query-read' });

    expect((await call(`${gateway.url}/v1/simulations`, { key })).json.simulations).toHaveLength(1);
    expect((await call(`${gateway.url}/v1/simulations/${SIM}/results`, { key })).status).toBe(200);
    expect(await state()).toBe(0);
    const healthy = await readyz();
    expect(healthy).toMatchObject({
      status: 'degraded',
      ready: true,
      rate_limit_store: 'memory',
      breakers: { 'query-read': 'closed' },
    });

    query.kill();
    const failures: { status: number; code: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call(`${gateway.url}/v1/simulations/${SIM}/results`, { key });
      failures.push({ status: res.status, code: res.json.code as string });
      expect(res.headers.get('retry-after')).toBeTruthy();
    }
    expect(failures.every((f) => f.status === 503 && f.code === 'UNAVAILABLE')).toBe(true);
    expect(await state()).toBe(2);
    const open = await readyz();
    expect(open).toMatchObject({ status: 'degraded', ready: true, breakers: { 'query-read': 'open' } });
    expect(open.degraded).toContain('query-read breaker open');
    expect((await fetch(`${gateway.opsUrl}/readyz`)).status).toBe(200);
    // Failing fast while open: no call reaches the network, the answer is immediate.
    const started = performance.now();
    const fast = await call(`${gateway.url}/v1/simulations/${SIM}/results`, { key });
    expect(fast.json.detail).toMatch(/circuit breaker open/);
    expect(performance.now() - started).toBeLessThan(500);
    const stale = await call(`${gateway.url}/v1/simulations`, { key });
    expect(stale.status).toBe(200);
    expect(stale.json.simulations!.map((s: { simulation_id: string }) => s.simulation_id)).toEqual([SIM]);
    expect(Number(stale.headers.get('x-simstream-stale-ms'))).toBeGreaterThan(0);
    expect(
      await metricValue(gateway.opsUrl, 'simstream_gateway_fallbacks_total', { what: 'list_simulations' }),
    ).toBeGreaterThanOrEqual(1);

    await query.start(query.port);
    await waitFor(
      'the breaker to close',
      async () => {
        const res = await call(`${gateway.url}/v1/simulations/${SIM}/results`, { key });
        return res.status === 200 ? true : undefined;
      },
      20_000,
    );
    expect(await state()).toBe(0);
    expect(await readyz()).toMatchObject({ breakers: { 'query-read': 'closed' } });
    expect(
      await metricValue(gateway.opsUrl, 'simstream_breaker_events_total', {
        breaker: 'query-read',
        event: 'close',
      }),
    ).toBe(1);

    // Limits still hold without Redis, counted in this replica's memory.
    let limited = 0;
    for (let i = 0; i < 40 && limited === 0; i++)
      if ((await call(`${gateway.url}/v1/simulations`, { key })).status === 429) limited = i;
    expect(limited).toBeGreaterThan(0);
    expect(
      await metricValue(gateway.opsUrl, 'simstream_gateway_rate_limited_total', { store: 'memory' }),
    ).toBe(1);
  });
});
