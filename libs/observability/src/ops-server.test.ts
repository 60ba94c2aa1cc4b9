import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Counter,
  HealthChecks,
  createLogger,
  createMetricsRegistry,
  startOpsServer,
  type OpsServer,
} from './index.js';

describe('ops server', () => {
  const registry = createMetricsRegistry({ service: 'test-svc', defaultMetrics: true });
  const frames = new Counter({ name: 'simstream_test_frames_total', help: 'frames', registers: [registry] });
  let dependencyUp = true;
  const health = new HealthChecks(200)
    .add('dependency', () =>
      dependencyUp ? Promise.resolve() : Promise.reject(new Error('connection refused')),
    )
    .add(
      'slow',
      (signal) =>
        new Promise((resolve) => {
          const t = setTimeout(resolve, 5);
          signal.addEventListener('abort', () => clearTimeout(t));
        }),
    );
  const logger = createLogger({
    service: 'test-svc',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  let server: OpsServer;
  let base: string;

  beforeAll(async () => {
    server = await startOpsServer({ port: 0, host: '127.0.0.1', registry, health, logger });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('serves Prometheus metrics with the service label and default metrics', async () => {
    frames.inc(3);
    const res = await fetch(`${base}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('simstream_test_frames_total{service="test-svc"} 3');
    expect(text).toContain('simstream_process_cpu_user_seconds_total');
  });

  it('reports readiness from real checks, and not ready when one fails, times out or we drain', async () => {
    let res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ready: true,
      checks: [
        { name: 'dependency', ok: true },
        { name: 'slow', ok: true },
      ],
    });

    dependencyUp = false;
    health.add('hangs', () => new Promise(() => undefined));
    res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: { name: string; ok: boolean; error?: string }[] };
    expect(body.checks.find((c) => c.name === 'dependency')).toMatchObject({
      ok: false,
      error: 'connection refused',
    });
    expect(body.checks.find((c) => c.name === 'hangs')).toMatchObject({
      ok: false,
      error: 'no answer within 200 ms',
    });

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('is not ready while draining', async () => {
    const draining = new HealthChecks().add('ok', () => Promise.resolve());
    draining.startDraining();
    expect(await draining.run()).toMatchObject({
      ready: false,
      checks: [
        { name: 'ok', ok: true },
        { name: 'draining', ok: false },
      ],
    });
  });
});
