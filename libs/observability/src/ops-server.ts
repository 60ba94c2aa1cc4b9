/**
 * The ops HTTP endpoint every service exposes (ports 9101–9105 by default):
 * GET /metrics (Prometheus text), /healthz (liveness), /readyz (readiness with per-check
 * detail, 503 when any check fails or the service drains).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';
import type { HealthChecks } from './health.js';

export interface OpsServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly registry: Registry;
  readonly health: HealthChecks;
  readonly logger: Logger;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { registry, health, logger } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => send(res, 200, registry.contentType, text))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'metrics collection failed');
          send(res, 500, 'text/plain', 'metrics collection failed\n');
        });
    } else if (path === '/healthz') {
      send(res, 200, 'application/json', '{"status":"ok"}\n');
    } else if (path === '/readyz') {
      health
        .run()
        .then((report) =>
          send(
            res,
            report.ready ? 200 : 503,
            'application/json',
            JSON.stringify({ status: report.ready ? 'ready' : 'not ready', ...report }) + '\n',
          ),
        )
        .catch((error: unknown) =>
          send(res, 503, 'application/json', JSON.stringify({ status: 'not ready', error: String(error) })),
        );
    } else {
      send(res, 404, 'text/plain', 'not found: try /metrics, /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'ops endpoint listening (/metrics /healthz /readyz)');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
