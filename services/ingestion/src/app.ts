/**
 * Assembles the ingestion service from its config: KafkaClient (topics, a transactional writer per simulation,
 * the progress table), the gRPC server, the ops endpoint; and takes it down gracefully.
 */
import { randomUUID } from 'node:crypto';
import { loadIngestionContract, schemaRegistry, type Progress, RecordName } from '@simstream/contracts';
import {
  CompactedTable,
  FRAME_CHUNK_BYTES,
  FRAMES_MAX_MESSAGE_BYTES,
  PartitionCounts,
  TopicName,
  createKafkaClient,
  ensureTopics,
  producerMetrics,
  topicDefinitions,
} from '@simstream/kafka';
import {
  HealthChecks,
  createLogger,
  createMetricsRegistry,
  startOpsServer,
  type Logger,
  type OpsServer,
} from '@simstream/observability';
import { createAuthenticator, postgresOwnership, type Guard } from '@simstream/auth';
import { channelCredentials, createGrpcServer, serverCredentials } from '@simstream/rpc';
import { servicePool, createRedis, migrate } from '@simstream/storage';
import { ByteBudget } from './byte-budget.js';
import type { IngestionConfig } from './config.js';
import { internalGate, publicGate } from './call-auth.js';
import { ingestionHandlers } from './grpc-service.js';
import { Ingestor } from './ingestor.js';
import { QueryResultTails } from './result-tails.js';
import { IngestMetrics } from './metrics.js';
import { mergeProgress, type ProgressStore } from './progress.js';
import { KafkaSimulationWriters } from './simulation-writers.js';
import { SessionRegistry } from './session-registry.js';

export interface IngestionService {
  readonly grpcPort: number;
  readonly internalGrpcPort: number;
  readonly opsPort: number;
  readonly logger: Logger;
  /** Graceful: not ready, streams drained, their writers flushed, everything closed. */
  stop(): Promise<void>;
}

/** Headroom below the topic's max.message.bytes for record and batch overhead. */
const RECORD_HEADROOM = 64 * 1024;

export async function startIngestionService(config: IngestionConfig): Promise<IngestionService> {
  const logger = createLogger({ service: 'ingestion', level: config.logLevel });
  const registry = createMetricsRegistry({ service: 'ingestion' });
  const metrics = new IngestMetrics(registry);
  const health = new HealthChecks();
  const avro = schemaRegistry();
  const kafka = createKafkaClient(config.kafka, logger);
  if (config.grpc.tls.insecure)
    logger.warn(
      'GRPC_INSECURE=true: gRPC in PLAINTEXT and the internal port trusts any caller; debugging only',
    );

  // Credentials and simulation owners: the same Postgres tables as the gateway's.
  const pool = servicePool(config.database, `simstream-ingestion-${config.instanceId}`);
  if (config.database.migrate) await migrate(pool, logger);
  const guard: Guard = (_what, fn) => fn();
  const redis = createRedis({ url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs });
  redis
    .connect()
    .catch((error: unknown) =>
      logger.warn({ err: error }, 'Redis unreachable: failed sign-ins counted per instance until it answers'),
    );
  const { authenticator } = createAuthenticator({
    settings: config.auth,
    pool,
    guard,
    redis,
    onFailure: (reason) => metrics.authFailures.inc({ reason }),
  });
  const ownership = postgresOwnership(pool, guard);

  if (config.ensureTopics) await ensureTopics(kafka, topicDefinitions(config.topicEnvironment), logger);

  const partitions = new PartitionCounts(kafka);
  const writers = new KafkaSimulationWriters({
    transport: kafka.producers(),
    logger,
    partitions,
    metrics: producerMetrics(registry, 'ingest'),
    transactionalIdPrefix: config.transactionalIdPrefix,
    maxBatchBytes: config.maxBatchBytes,
    maxPartitionBytes: (topic) =>
      topic === TopicName.frames ? FRAMES_MAX_MESSAGE_BYTES - RECORD_HEADROOM : 1024 * 1024 - RECORD_HEADROOM,
    outageTimeoutMs: config.outageTimeoutMs,
    transactionTimeoutMs: config.transactionTimeoutMs,
  });

  const table = new CompactedTable<Progress>({
    kafka,
    logger,
    registry: avro,
    topic: TopicName.progress,
    recordName: RecordName.Progress,
    groupId: `simstream-ingestion-progress-${config.instanceId}-${randomUUID().slice(0, 8)}`,
    merge: mergeProgress,
  });
  await table.start();
  const progress: ProgressStore = {
    lastDurableStep: (id) => table.get(id)?.lastDurableStep,
    markDurable: (p) => table.put(p.simulationId, p),
    waitUntilReady: (ms) => table.waitUntilCaughtUp(ms),
    waitUntilCurrent: (id, ms) => table.waitUntilCurrent(id, ms),
    get ready() {
      return table.isCaughtUp;
    },
  };

  const ingestor = new Ingestor({
    registry: avro,
    progress,
    serverId: config.instanceId,
    topics: { frames: TopicName.frames, progress: TopicName.progress },
    maxRecordBytes: FRAMES_MAX_MESSAGE_BYTES - RECORD_HEADROOM,
    chunkBytes: FRAME_CHUNK_BYTES,
  });
  const processBudget = new ByteBudget(config.maxInFlightBytes);
  const sessions = new SessionRegistry();
  // Analysis events: followed on query; its failures never reach frames or readiness.
  const tails = new QueryResultTails({
    address: config.events.queryAddress,
    credentials: channelCredentials(config.grpc.tls),
    connectTimeoutMs: 2000,
    breakerResetMs: 5000,
    registry,
    logger,
  });
  const deps = {
    ingestor,
    progress,
    limits: config.limits,
    streamBudgetBytes: config.maxStreamInFlightBytes,
    processBudget,
    metrics,
    logger,
    serverId: config.instanceId,
    sessions,
    writers,
    progressTimeoutMs: config.progressCatchUpTimeoutMs,
    chunkBytes: FRAME_CHUNK_BYTES,
    ownership,
    events: {
      tails,
      metrics,
      logger,
      maxQueued: config.events.maxQueued,
      retry: { baseMs: 200, maxMs: config.events.retryMaxDelayMs },
    },
  };

  const contract = loadIngestionContract();
  const ready = () => progress.ready && writers.unavailableForMs() === undefined;
  const handlers = ingestionHandlers(deps, { ready, inFlightBytes: () => processBudget.inUse });
  const server = (internal: boolean) => {
    const handle = createGrpcServer({
      // Frames somewhat over the frame limit still arrive, to get a per-frame FRAME_TOO_LARGE
      // rejection; a message past this transport limit ends its stream with RESOURCE_EXHAUSTED.
      maxReceiveMessageBytes:
        config.limits.maxFrameBytes + Math.max(1024 * 1024, Math.round(config.limits.maxFrameBytes / 4)),
      reflect: contract.files,
      healthServices: ['simstream.v1.IngestionService'],
      flowControlWindowBytes: config.http2WindowBytes,
      connectionAge: internal ? config.grpc.internalConnectionAge : config.grpc.publicConnectionAge,
      credentials: serverCredentials(config.grpc.tls, { requireClientCertificate: internal }),
      gate: internal
        ? internalGate(config.grpc.allowedClients, config.grpc.tls.insecure)
        : publicGate(authenticator, config.auth.trustedProxies),
    });
    handle.server.addService(contract.proto.simstream.v1.IngestionService.service, handlers);
    return handle;
  };
  const publicServer = server(false);
  const internalServer = server(true);
  const servers = [publicServer, internalServer];
  health
    .add('kafka-writes', () => {
      const down = writers.unavailableForMs();
      return down === undefined
        ? Promise.resolve()
        : Promise.reject(new Error(`Kafka writes failing for ${down} ms`));
    })
    .add('kafka-metadata', async () => {
      await partitions.of(TopicName.frames, { fresh: true });
    })
    .add('progress-table', () =>
      progress.ready
        ? Promise.resolve()
        : Promise.reject(new Error('progress topic not read up to date yet')),
    );

  let ops: OpsServer | undefined;
  let grpcPort: number;
  let internalGrpcPort: number;
  try {
    grpcPort = await publicServer.listen(config.grpc.host, config.grpc.port);
    internalGrpcPort = await internalServer.listen(config.grpc.host, config.grpc.internalPort);
    ops = await startOpsServer({ host: config.ops.host, port: config.ops.port, registry, health, logger });
  } catch (error) {
    await Promise.all(servers.map((s) => s.shutdown(0)));
    throw error;
  }
  void progress.waitUntilReady(config.progressCatchUpTimeoutMs).then((ok) => {
    if (ok) for (const s of servers) s.setServing('SERVING');
  });
  logger.info(
    {
      grpcPort,
      internalGrpcPort,
      opsPort: ops.port,
      tls: !config.grpc.tls.insecure,
      instanceId: config.instanceId,
    },
    'ingestion service started',
  );

  let stopping: Promise<void> | undefined;
  return {
    grpcPort,
    internalGrpcPort,
    opsPort: ops.port,
    logger,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('draining');
        health.startDraining();
        for (const s of servers) s.setServing('NOT_SERVING');
        const drained = Promise.all([...sessions.all].map((s) => s.drain()));
        await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, config.drainTimeoutMs))]);
        await Promise.all(servers.map((s) => s.shutdown(1000)));
        tails.close();
        await table.stop().catch(() => undefined);
        redis.disconnect();
        await pool.end().catch(() => undefined);
        await ops.close();
        logger.info('stopped');
      })()),
  };
}
