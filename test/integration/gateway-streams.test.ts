/**
 * Gateway: data out. Results as JSON pages and as a relayed Arrow export; live results over SSE
 * (one shared upstream tail for live clients, resume with Last-Event-ID, upstream cancelled when
 * clients leave, an error event when the query service goes away); optimisation solved at once,
 * with streamed progress, cancelled when the client leaves, and as jobs; a SIGTERM drain.
 * The query and quantum services are test doubles at the network boundary (gateway-doubles.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../src/index.js';
import { QueryDouble, QuantumDouble, neuromorphicResult } from './gateway-doubles.js';
import {
  SseClient,
  bootstrapKey,
  call,
  startGateway,
  waitFor,
  type GatewayProcess,
  mintKey,
} from './gateway-harness.js';

const run = randomBytes(3).toString('hex');
const TENANT_A = `ta-${run}`;
const TENANT_B = `tb-${run}`;
const SIM_LIVE = `gw-live-${run}`;
const ARROW = 'application/vnd.apache.arrow.stream';

describe('gateway: results, live streams, optimisation', () => {
  const query = new QueryDouble();
  const quantum = new QuantumDouble();
  // What the double's ExportArrow sends, in three chunks: the gateway must relay it byte for byte.
  const arrowBody = randomBytes(3000);
  let gateway: GatewayProcess;
  let keyA = '';
  let keyB = '';

  beforeAll(async () => {
    query.addSimulation(
      SIM_LIVE,
      TENANT_A,
      [0, 1, 2].map((s) => neuromorphicResult(SIM_LIVE, s)),
    );
    query.arrow.set(SIM_LIVE, [
      arrowBody.subarray(0, 100),
      arrowBody.subarray(100, 1000),
      arrowBody.subarray(1000),
    ]);
    const admin = bootstrapKey();
    gateway = await startGateway({
      QUERY_ADDRESS: await query.start(),
      QUANTUM_ADDRESS: await quantum.start(),
      INGESTION_ADDRESS: '127.0.0.1:9', // not used here
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
      GATEWAY_SSE_WAIT_POLL_INTERVAL: '50ms',
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

  it('serves results as JSON pages and relays the Arrow export chunk by chunk', async () => {
    const first = await call(`${gateway.url}/v1/simulations/${SIM_LIVE}/results?limit=2`, { key: keyA });
    expect(first.status).toBe(200);
    expect(first.json.results!.map((r: { step: number }) => r.step)).toEqual([0, 1]);
    expect(first.json.results![1]).toMatchObject({
      kind: 'neuromorphic',
      sim_time: 0.5,
      score: 0.1,
      produced_at: '2023-11-14T22:13:20.001Z',
      neuromorphic: { anomaly_score: 0.1, pattern_id: 1 },
    });
    const second = await call(
      `${gateway.url}/v1/simulations/${SIM_LIVE}/results?limit=2&cursor=${first.json.next_cursor}`,
      { key: keyA },
    );
    expect(second.json).toMatchObject({ results: [{ step: 2 }], next_cursor: '' });
    const arrow = await call(
      `${gateway.url}/v1/simulations/${SIM_LIVE}/results?kind=neuromorphic&from_step=0`,
      { key: keyA, headers: { accept: ARROW } },
    );
    expect(arrow.status).toBe(200);
    expect(arrow.headers.get('content-type')).toBe(ARROW);
    expect(arrow.bytes.equals(arrowBody)).toBe(true);
    const mixed = await call(`${gateway.url}/v1/simulations/${SIM_LIVE}/results?cursor=2`, {
      key: keyA,
      headers: { accept: ARROW },
    });
    expect(mixed.json.violations![0]).toMatchObject({
      field: 'querystring.cursor',
      reason: 'UNSUPPORTED_WITH_ARROW',
    });
  });

  it('streams live results over SSE: one shared upstream for live clients, resume with Last-Event-ID, upstream cancelled when clients leave', async () => {
    const url = `${gateway.url}/v1/simulations/${SIM_LIVE}/results/stream?kind=neuromorphic`;
    const tailsBefore = query.tailRequests.length;
    const a = new SseClient(url, keyA);
    const b = new SseClient(url, keyA);
    await waitFor('one shared tail', () =>
      query.openTails === 1 && a.status === 200 && b.status === 200 ? true : undefined,
    );
    expect(query.tailRequests.length - tailsBefore).toBe(1);
    expect(query.tailRequests.at(-1)!.fromStep).toBeUndefined();
    query.push(SIM_LIVE, neuromorphicResult(SIM_LIVE, 3));
    query.push(SIM_LIVE, neuromorphicResult(SIM_LIVE, 4));
    for (const c of [a, b])
      expect((await c.until((e) => e.length >= 2)).map((e) => [e.name, e.id, e.data.step])).toEqual([
        ['result', '3', 3],
        ['result', '4', 4],
      ]);
    await a.close();
    query.push(SIM_LIVE, neuromorphicResult(SIM_LIVE, 5));
    await b.until((e) => e.length >= 3);
    expect(query.openTails).toBe(1);
    await b.close();
    await waitFor('upstream cancelled', () => (query.openTails === 0 ? true : undefined));

    // EventSource reconnecting after step 3: history from 4, then live, no gap and no repeat.
    const resumed = new SseClient(url, keyA, { 'last-event-id': '3' });
    await resumed.until((e) => e.length >= 2);
    expect(query.tailRequests.at(-1)!.fromStep).toBe(4);
    query.push(SIM_LIVE, neuromorphicResult(SIM_LIVE, 6));
    expect((await resumed.until((e) => e.length >= 3)).map((e) => Number(e.id))).toEqual([4, 5, 6]);
    const metrics = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/simstream_gateway_sse_clients\{[^}]*stream="results"[^}]*\} 1/);
    await resumed.close();
    await waitFor('upstream cancelled', () => (query.openTails === 0 ? true : undefined));

    // The query service going away ends the stream with an error event the client can act on.
    const doomed = new SseClient(`${url}&from_step=6`, keyA);
    await doomed.until((e) => e.length >= 1);
    query.kill();
    const events = await doomed.until((e) => e.some((x) => x.name === 'error'));
    expect(events.at(-1)).toMatchObject({ name: 'error', data: { code: 'UNAVAILABLE', status: 503 } });
    await doomed.close();
    await query.start(query.port);
    // The gateway balances over query's addresses (round_robin): a replica that failed is
    // reconnected after its backoff (about 1 s), not on the next call as pick_first did, so
    // wait until the one replica of this test is reachable again.
    await waitFor('query reachable again', async () =>
      (await call(`${gateway.url}/v1/simulations/${SIM_LIVE}/results?limit=1`, { key: keyA })).status === 200
        ? true
        : undefined,
    );
    // Each event stream counted once, when it started (not again when it ended).
    expect(
      await metricValue(gateway.opsUrl, 'simstream_gateway_requests_total', {
        route: '/v1/simulations/:id/results/stream',
        status: '200',
      }),
    ).toBe(4);
  });

  it('opens a live stream before its simulation starts (wait=true), delivering to the owner only', async () => {
    const later = `gw-later-${run}`;
    const url = `${gateway.url}/v1/simulations/${later}/results/stream?kind=neuromorphic`;
    const waiting = () => metricValue(gateway.opsUrl, 'simstream_gateway_sse_waiting_streams');
    // Without wait, an id the caller cannot read is 404, as everywhere else.
    const refused = new SseClient(url, keyA);
    await refused.until((e) => e.length > 0);
    expect(refused.status).toBe(404);
    await refused.close();

    const tailsBefore = query.tailRequests.length;
    const owner = new SseClient(`${url}&wait=true`, keyA);
    const other = new SseClient(`${url}&wait=true`, keyB);
    await waitFor('both streams open and waiting', async () =>
      owner.status === 200 && other.status === 200 && (await waiting()) === 2 ? true : undefined,
    );
    expect(query.tailRequests.length).toBe(tailsBefore);
    // The run starts, owned by A: A gets it from its first result, then live.
    query.addSimulation(
      later,
      TENANT_A,
      [0, 1].map((s) => neuromorphicResult(later, s)),
    );
    expect((await owner.until((e) => e.length >= 2)).map((e) => e.id)).toEqual(['0', '1']);
    expect(query.tailRequests.at(-1)).toMatchObject({ simulationId: later, tenant: TENANT_A, fromStep: 0 });
    query.push(later, neuromorphicResult(later, 2));
    expect((await owner.until((e) => e.length >= 3)).map((e) => e.id)).toEqual(['0', '1', '2']);
    // B's stream for A's id waits and never delivers: the same as an id never used.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(other.events).toEqual([]);
    expect(other.ended).toBe(false);
    expect(query.tailRequests.filter((r) => r.tenant === TENANT_B)).toEqual([]);
    expect(await waiting()).toBe(1);
    await Promise.all([owner.close(), other.close()]);
    await waitFor('no stream waiting', async () => ((await waiting()) === 0 ? true : undefined));
  });

  it('solves optimisation problems synchronously and with streamed progress, cancels when the client leaves, and runs jobs', async () => {
    const problem = { kind: 'maxcut', variables: 4, i: [0, 1, 2], j: [1, 2, 3], value: [1, 1, 1] };
    const sync = await call(`${gateway.url}/v1/optimize`, {
      key: keyA,
      json: { problem, params: { solver: 'sa', seed: 7 } },
    });
    expect(sync.status).toBe(200);
    expect(sync.json).toMatchObject({
      energy: -4,
      solution: [1, -1, 1, -1],
      solver: 'sa',
      stopped_by: 'completed',
    });
    const res = await fetch(`${gateway.url}/v1/optimize`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keyA}`,
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ problem }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text.match(/^event: \w+/gm)).toEqual([
      'event: progress',
      'event: progress',
      'event: progress',
      'event: result',
    ]);

    const controller = new AbortController();
    const slow = await fetch(`${gateway.url}/v1/optimize`, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${keyA}`,
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ problem, params: { time_limit_ms: 60_000 } }),
    });
    const reader = slow.body!.getReader();
    await reader.read();
    controller.abort();
    await waitFor('solve cancelled', () => (quantum.cancelledSolves >= 1 ? true : undefined));

    const submit = (key: string) =>
      call(`${gateway.url}/v1/jobs`, { key: keyA, json: { problem }, headers: { 'idempotency-key': key } });
    const job = await submit(`k-${run}`);
    expect(job.status).toBe(202);
    expect(job.headers.get('location')).toBe(`/v1/jobs/${job.json.job_id}`);
    expect((await submit(`k-${run}`)).json.job_id).toBe(job.json.job_id);
    const cancelled = await call(`${gateway.url}/v1/jobs/${job.json.job_id}`, {
      method: 'DELETE',
      key: keyA,
    });
    expect(cancelled.json).toMatchObject({ job_id: job.json.job_id, status: 'cancelled', variables: 4 });
    expect(
      (await call(`${gateway.url}/v1/jobs/${job.json.job_id}`, { method: 'DELETE', key: keyB })).status,
    ).toBe(404);
  });

  it('drains on SIGTERM: open event streams end and the process exits 0', async () => {
    const live = new SseClient(`${gateway.url}/v1/simulations/${SIM_LIVE}/results/stream`, keyA);
    await waitFor('the stream to open', () =>
      live.status === 200 && query.openTails === 1 ? true : undefined,
    );
    expect(await gateway.stop()).toBe(0);
    await live.until(() => live.ended, 5000);
    await waitFor('the upstream tail to be cancelled', () => (query.openTails === 0 ? true : undefined));
  });
});
