/**
 * Assembles the query service from its config: Postgres (migrations, pool, read breaker), Redis
 * (L2 cache and version notifications, behind a breaker; optional), the materializer (Kafka
 * consumer → Postgres + InfluxDB) and the gRPC Query server, as the roles say; takes them
 * down gracefully.
 */
import { loadQueryContract } from '@simstream/contracts';
import {
  BatchingProducer,
  PartitionCounts,
  RecordConsumer,
  TopicName,
  createKafkaClient,
  ensureTopics,
  retryKafka,
  topicDefinitions,
} from '@simstream/kafka';
import {
  HealthChecks,
  createLogger,
  createMetricsRegistry,
  startOpsServer,
  type Logger,
} from '@simstream/observability';
import { Breaker } from '@simstream/resilience';
import { createGrpcServer, identityGate, serverCredentials } from '@simstream/rpc';
import { InfluxWriter, servicePool, createRedis, migrate } from '@simstream/storage';
import { schemaRegistry } from '@simstream/contracts';
import { ResultCache } from './cache/result-cache.js';
import { VersionBus } from './cache/version-bus.js';
import { SimulationVersions } from './cache/versions.js';
import type { QueryConfig } from './config.js';
import { createMaterializer } from './materializer/materializer.js';
import { QueryMetrics } from './metrics.js';
import { queryHandlers } from './query/grpc-service.js';
import { QueryEngine } from './query/query-engine.js';
import { QueryStore, poolRead } from './query/store.js';
import { TailHub } from './query/tail-hub.js';

export interface QueryService {
  readonly grpcPort: number | undefined;
  readonly opsPort: number;
  readonly logger: Logger;
  /** Graceful: not ready, consumer stopped after its batch (committed), streams ended, all closed. */
  stop(): Promise<void>;
}

const MATERIALIZED_TOPICS = [TopicName.frames, TopicName.neuromorphicResults, TopicName.quantumResults];

export async function startQueryService(config: QueryConfig): Promise<QueryService> {
  const logger = createLogger({ service: 'query', level: config.logLevel });
  if (config.grpcTls.insecure)
    logger.warn(
      'GRPC_INSECURE=true: gRPC in PLAINTEXT and any caller is trusted with any tenant; debugging only',
    );
  const registry = createMetricsRegistry({ service: 'query' });
  const metrics = new QueryMetrics(registry);
  const health = new HealthChecks();
  const closers: [string, () => unknown][] = [];

  const pool = servicePool(config.postgres, `simstream-query-${config.instanceId}`);
  if (config.postgres.migrate) await migrate(pool, logger);

  const postgres = new Breaker(
    'postgres',
    (run: () => Promise<unknown>) => run(),
    { timeoutMs: config.postgres.readTimeoutMs },
    { registry, logger },
  );
  const redisBreaker = new Breaker(
    'redis',
    (run: () => Promise<unknown>) => run(),
    {
      timeoutMs: config.redis.commandTimeoutMs * 2,
      resetTimeoutMs: 3000,
    },
    { registry, logger },
  );
  closers.push(['breakers', () => (postgres.shutdown(), redisBreaker.shutdown())]);
  const direct = poolRead(pool);
  const store = new QueryStore(
    <R>(text: string, values: unknown[]) => postgres.call(() => direct<R>(text, values)) as Promise<R[]>,
  );

  const redis = createRedis({ url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs });
  const subscriber = createRedis({ url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs });
  redis
    .connect()
    .catch((error: unknown) => logger.warn({ err: error }, 'Redis unreachable: caching in process only'));
  closers.push(['redis', () => redis.disconnect()]);
  const bus = new VersionBus({
    publish: (channel, message) => redisBreaker.call(() => redis.publish(channel, message)),
    subscriber,
    logger,
    onPendingChange: (n) => metrics.announcePending.set(n),
  });
  const versions = new SimulationVersions({
    load: (id) => store.meta(id),
    maxAgeMs: config.cache.versionMaxAgeMs,
    onLookup: (source) => metrics.versionReads.inc({ source }),
  });
  const hub = new TailHub();
  bus.onLive((live) => versions.setLive(live));
  bus.on((m) => {
    versions.learn(m.simulationId, { tenant: m.tenant, version: m.version });
    hub.notify(m);
  });
  await bus.start();
  closers.unshift(['version-bus', () => bus.stop()]);

  const cache = new ResultCache({
    maxBytes: config.cache.l1MaxBytes,
    ttlMs: config.cache.ttlMs,
    shared: {
      get: (key) => redisBreaker.call(() => redis.get(key)) as Promise<string | null>,
      set: async (key, value, ttlMs) => {
        await redisBreaker.call(() => redis.set(key, value, 'PX', ttlMs));
      },
    },
    onLookup: (level, outcome) => metrics.cache.inc({ level, outcome }),
  });
  const engine = new QueryEngine(store, versions, cache);

  health
    .add('postgres', async () => {
      await pool.query('SELECT 1');
    })
    .add('postgres-breaker', () => postgres.check())
    .addOptional('redis', async () => {
      if ((await redis.ping()) !== 'PONG') throw new Error('no PONG');
    })
    .addOptional('version-notifications', () =>
      bus.isLive
        ? Promise.resolve()
        : Promise.reject(new Error('not subscribed: versions read from Postgres, tails poll')),
    );

  let consumer: RecordConsumer | undefined;
  if (config.roles.has('materializer')) {
    const kafka = createKafkaClient(config.kafka, logger);
    if (config.ensureTopics) await ensureTopics(kafka, topicDefinitions(config.topicEnvironment), logger);
    const partitions = new PartitionCounts(kafka);
    const dlqProducer = new BatchingProducer({
      transport: kafka.producers(),
      logger,
      partitions,
      name: 'query_dlq',
      registry,
    });
    await retryKafka(() => dlqProducer.connect(), { what: 'connecting the dead-letter producer', logger });
    closers.push(['dead-letter-producer', () => dlqProducer.close()]);
    const influx = new InfluxWriter(config.influx);
    consumer = new RecordConsumer({
      kafka,
      logger,
      registry: schemaRegistry(),
      groupId: config.consumerGroup,
      topics: MATERIALIZED_TOPICS,
      dlq: { producer: dlqProducer, topic: TopicName.dlq },
      metrics: registry,
      name: 'query',
      concurrency: config.consumerConcurrency,
      sessionTimeoutMs: config.consumerSessionTimeoutMs,
    });
    health
      .add('kafka-consumer', () =>
        consumer?.isRunning ? Promise.resolve() : Promise.reject(new Error('consumer not running')),
      )
      .add('kafka-metadata', async () => {
        await partitions.of(TopicName.frames, { fresh: true });
      })
      .addOptional('influxdb', () => influx.ping());
    await consumer.start(
      createMaterializer({
        pool,
        influx,
        announce: (changes) => bus.announce(changes),
        metrics,
        logger,
      }),
    );
  }

  let grpcServer: ReturnType<typeof createGrpcServer> | undefined;
  let grpcPort: number | undefined;
  if (config.roles.has('server')) {
    const contract = loadQueryContract();
    grpcServer = createGrpcServer({
      maxReceiveMessageBytes: 1024 * 1024,
      reflect: contract.files,
      healthServices: ['simstream.v1.QueryService'],
      connectionAge: config.connectionAge,
      credentials: serverCredentials(config.grpcTls, { requireClientCertificate: true }),
      gate: identityGate(config.allowedClients, config.grpcTls.insecure, 'query'),
    });
    grpcServer.server.addService(
      contract.proto.simstream.v1.QueryService.service,
      queryHandlers({
        engine,
        store,
        hub,
        metrics,
        logger,
        tail: {
          pollIntervalMs: () => (bus.isLive ? config.tail.safetyPollIntervalMs : config.tail.pollIntervalMs),
          maxSubscribers: config.tail.maxSubscribers,
          pageSize: config.tail.pageSize,
        },
        exportBatchRows: config.exportBatchRows,
      }),
    );
    grpcPort = await grpcServer.listen(config.grpc.host, config.grpc.port);
    grpcServer.setServing('SERVING');
  }

  const ops = await startOpsServer({ host: config.opsHost, port: config.opsPort, registry, health, logger });
  logger.info(
    { grpcPort, opsPort: ops.port, roles: [...config.roles], group: config.consumerGroup },
    'query service started',
  );

  let stopping: Promise<void> | undefined;
  return {
    grpcPort,
    opsPort: ops.port,
    logger,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('draining');
        health.startDraining();
        grpcServer?.setServing('NOT_SERVING');
        const steps: [string, () => unknown][] = [
          // The batch in hand finishes and commits; nothing new is read.
          ['consumer', () => consumer?.stop()],
          // Tails never end by themselves: open streams are cancelled after a short grace.
          ['grpc', () => grpcServer?.shutdown(Math.min(config.drainTimeoutMs, 1000))],
          ...closers,
          ['postgres', () => pool.end()],
          ['ops', () => ops.close()],
        ];
        // A step that hangs must not keep the process from exiting: bounded as a whole.
        const deadline = new Promise<'late'>((resolve) =>
          setTimeout(resolve, config.drainTimeoutMs, 'late').unref(),
        );
        const done = (async () => {
          for (const [name, step] of steps) {
            logger.debug({ step: name }, 'stopping');
            await Promise.resolve()
              .then(step)
              .catch((error: unknown) => logger.warn({ err: error, step: name }, 'stop step failed'));
          }
        })();
        if ((await Promise.race([done, deadline])) === 'late')
          logger.warn('shutdown steps did not finish in time');
        else logger.info('stopped');
      })()),
  };
}
