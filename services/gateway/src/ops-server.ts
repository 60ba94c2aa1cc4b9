/**
 * The gateway's ops endpoint: /metrics, /healthz, and /readyz with more than pass/fail.
 * Not ready (503) only when the gateway itself cannot do its job: draining, or Postgres (its
 * own store: API keys, simulation claims) failing. Open downstream breakers and the rate-limit
 * fallback make it `degraded` but still ready (200), because every replica sees the same
 * downstream: taking them all out of the load balancer would turn precise 503 problems (with
 * Retry-After) and still-working routes (uploads while query is down, docs, the dashboard) into
 * connection errors, and restarting or rerouting the gateway cannot heal the query service.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthChecks, Logger, Registry } from '@simstream/observability';
import type { BreakerState } from '@simstream/resilience';

export interface GatewayReadiness {
  readonly health: HealthChecks;
  readonly breakers: () => Record<string, BreakerState>;
  readonly rateLimitStore: () => 'redis' | 'memory';
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function readinessReport(readiness: GatewayReadiness) {
  const report = await readiness.health.run();
  const breakers = readiness.breakers();
  const degraded = Object.entries(breakers)
    .filter(([, state]) => state !== 'closed')
    .map(([name, state]) => `${name} breaker ${state}`);
  const store = readiness.rateLimitStore();
  if (store !== 'redis') degraded.push('rate limits counted per replica (Redis unavailable)');
  return {
    status: !report.ready ? 'not ready' : degraded.length > 0 ? 'degraded' : 'ready',
    ready: report.ready,
    checks: report.checks,
    breakers,
    rate_limit_store: store,
    degraded,
  };
}

export async function startOpsServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  readiness: GatewayReadiness;
  logger: Logger;
}): Promise<OpsServer> {
  const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') send(res, 405, 'text/plain', 'method not allowed\n');
    else if (path === '/metrics')
      options.registry.metrics().then(
        (text) => send(res, 200, options.registry.contentType, text),
        (error: unknown) => {
          options.logger.error({ err: error }, 'metrics collection failed');
          send(res, 500, 'text/plain', 'metrics collection failed\n');
        },
      );
    else if (path === '/healthz') send(res, 200, 'application/json', '{"status":"ok"}\n');
    else if (path === '/readyz')
      readinessReport(options.readiness).then(
        (report) => send(res, report.ready ? 200 : 503, 'application/json', JSON.stringify(report) + '\n'),
        (error: unknown) =>
          send(res, 503, 'application/json', JSON.stringify({ status: 'not ready', error: String(error) })),
      );
    else send(res, 404, 'text/plain', 'not found: try /metrics, /healthz or /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port }, 'ops endpoint listening (/metrics /healthz /readyz)');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
