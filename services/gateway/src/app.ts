/**
 * Assembles the gateway from its config: Postgres (API keys, simulation claims; migrations),
 * Redis (shared rate limits), breakers and clients of the downstream services, the HTTP server,
 * the ops endpoint; and takes it down gracefully (not ready → event streams closed → in-flight
 * requests drained → clients and stores closed).
 */
import { HealthChecks, createLogger, createMetricsRegistry, type Logger } from '@simstream/observability';
import { servicePool, createRedis, databaseError, migrate } from '@simstream/storage';
import { channelCredentials } from '@simstream/rpc';
import { DecodePool } from '@simstream/uploads';
import { createAuthenticator, postgresOwnership, type Guard } from '@simstream/auth';
import { bootstrapAdminKey } from './auth/bootstrap.js';
import type { GatewayConfig } from './config.js';
import { Breakers } from './downstream/breakers.js';
import { IngestionClient } from './downstream/ingestion-client.js';
import { QuantumClient } from './downstream/quantum-client.js';
import { QueryClient } from './downstream/query-client.js';
import { buildHttpServer } from './http/server.js';
import { IdleSockets } from './http/idle-sockets.js';
import { GatewayMetrics } from './metrics.js';
import { startOpsServer } from './ops-server.js';
import { failoverRateStore, type RateLimitMode } from './rate-limit-store.js';
import { ResultStreams } from './sse/result-streams.js';
import { SseClients } from './sse/sse-clients.js';

export interface GatewayService {
  readonly httpPort: number;
  readonly opsPort: number;
  readonly logger: Logger;
  /** Graceful: not ready, event streams closed, requests drained, everything closed. */
  stop(): Promise<void>;
}

export async function startGatewayService(config: GatewayConfig): Promise<GatewayService> {
  const logger = createLogger({ service: 'gateway', level: config.logLevel });
  const registry = createMetricsRegistry({ service: 'gateway' });
  const metrics = new GatewayMetrics(registry);
  const health = new HealthChecks();
  const breakers = new Breakers(
    {
      queryMs: config.timeouts.queryMs,
      ingestMs: config.timeouts.ingestMs,
      solveMs: config.timeouts.solveMs,
      resetMs: config.timeouts.breakerResetMs,
      redisMs: Math.max(50, config.redis.commandTimeoutMs),
    },
    { registry, logger },
  );

  const pool = servicePool(config.database, `simstream-gateway-${config.instanceId}`);
  if (config.database.migrate) await migrate(pool, logger);
  const pg = breakers.guard('postgres');
  const guard: Guard = (_what, fn) => pg(fn);
  const redis = createRedis({ url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs });
  const { authenticator, keys } = createAuthenticator({
    settings: config.auth,
    pool,
    guard,
    redis,
    onFailure: (reason) => metrics.authFailures.inc({ reason }),
    onStale: () => metrics.authStale.inc(),
  });
  if (config.auth.bootstrapAdminKey !== undefined)
    await bootstrapAdminKey(keys, config.auth.bootstrapAdminKey, config.auth.operatorTenant, logger);

  redis
    .connect()
    .catch((error: unknown) =>
      logger.warn({ err: error }, 'Redis unreachable: rate limits per replica until it answers'),
    );
  let rateMode: RateLimitMode = 'redis';
  const RateStore = failoverRateStore({
    redis,
    guard: breakers.guard('redis'),
    onMode: (mode) => {
      rateMode = mode;
      metrics.rateLimitStore.set({ store: 'redis' }, mode === 'redis' ? 1 : 0);
      metrics.rateLimitStore.set({ store: 'memory' }, mode === 'memory' ? 1 : 0);
      if (mode === 'memory') logger.warn('rate limits fall back to per-replica memory (Redis failing)');
      else logger.info('rate limits counted in Redis (shared by replicas)');
    },
  });

  if (config.grpcTls.insecure)
    logger.warn('GRPC_INSECURE=true: calls to query, quantum and ingestion go in PLAINTEXT, unauthenticated');
  const credentials = channelCredentials(config.grpcTls);
  const query = new QueryClient(
    {
      credentials,
      address: config.addresses.query,
      deadlineMs: config.timeouts.queryMs,
      fallbackTtlMs: config.fallbackTtlMs,
      onFallback: (what) => metrics.fallbacks.inc({ what }),
    },
    breakers,
  );
  const ingestion = new IngestionClient(
    {
      credentials,
      address: config.addresses.ingestion,
      deadlineMs: config.timeouts.ingestMs,
      maxMessageBytes: Math.round(config.limits.maxBodyBytes * 1.25) + 1024 * 1024,
    },
    breakers,
  );
  const quantum = new QuantumClient(
    {
      credentials,
      address: config.addresses.quantum,
      deadlineMs: config.timeouts.queryMs,
      solveTimeoutMs: config.timeouts.solveMs,
    },
    breakers,
  );
  const resultStreams = new ResultStreams({
    open: (request) => query.tail(request),
    logger,
    onUpstreams: (n) => metrics.sseUpstreams.set(n),
  });
  const sseClients = new SseClients(config.limits.maxSseClients, config.perTenant.maxSseClients);
  const decodePool = new DecodePool({ size: config.decode.workers, maxHeapMb: config.decode.workerHeapMb });
  metrics.watchDecodePool(() => decodePool.replaced);

  const app = await buildHttpServer({
    config,
    logger,
    metrics,
    authenticator,
    keys,
    query,
    quantum,
    ingestion,
    ownership: postgresOwnership(pool, guard),
    resultStreams,
    sseClients,
    decodePool,
    rateStore: RateStore,
    rateMode: () => rateMode,
  });
  health.add('postgres', async () => {
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      throw databaseError(error, 'SELECT 1');
    }
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  const sockets = new IdleSockets(app.server);
  const httpPort = app.server.address() as { port: number };
  const ops = await startOpsServer({
    host: config.ops.host,
    port: config.ops.port,
    registry,
    readiness: { health, breakers: () => breakers.states(), rateLimitStore: () => rateMode },
    logger,
  });
  logger.info(
    { httpPort: httpPort.port, opsPort: ops.port, instanceId: config.instanceId },
    'gateway started',
  );

  let stopping: Promise<void> | undefined;
  return {
    httpPort: httpPort.port,
    opsPort: ops.port,
    logger,
    stop: () =>
      (stopping ??= (async () => {
        const started = performance.now();
        logger.info('draining');
        health.startDraining();
        sseClients.closeAll();
        resultStreams.closeAll();
        // Connections becoming idle while requests finish are closed as they do.
        const idle = setInterval(() => sockets.closeIdle(), 100);
        sockets.closeIdle();
        const drained = await Promise.race([
          app.close().then(() => true),
          new Promise<false>((resolve) => setTimeout(() => resolve(false), config.drainTimeoutMs).unref()),
        ]);
        clearInterval(idle);
        logger.info({ drained, ms: Math.round(performance.now() - started) }, 'HTTP server closed');
        query.close();
        ingestion.close();
        await decodePool.close();
        quantum.close();
        breakers.shutdown();
        redis.disconnect();
        await pool.end().catch(() => undefined);
        await ops.close();
        logger.info({ ms: Math.round(performance.now() - started) }, 'stopped');
      })()),
  };
}
