/**
 * Assembles the quantum service from its config: Postgres (migrations, buckets, jobs), Redis
 * (solution cache), Kafka (results producer, frames and jobs consumers), solver slots on worker
 * threads, the gRPC server and the ops endpoint; and takes it down gracefully.
 */
import {
  RecordName,
  loadQuantumContract,
  schemaRegistry,
  type Frame,
  type QuantumJob,
  type QuantumResult,
} from '@simstream/contracts';
import { UnavailableError, messageOf } from '@simstream/errors';
import {
  BatchingProducer,
  PartitionCounts,
  RecordConsumer,
  TopicName,
  createKafkaClient,
  ensureTopics,
  retryKafka,
  topicDefinitions,
  type HandlerContext,
} from '@simstream/kafka';
import {
  HealthChecks,
  createLogger,
  createMetricsRegistry,
  startOpsServer,
  type Logger,
  type OpsServer,
} from '@simstream/observability';
import { createGrpcServer, identityGate, serverCredentials } from '@simstream/rpc';
import { servicePool, createRedis, migrate } from '@simstream/storage';
import { BucketTracker, postgresBucketStore } from './bucket-state.js';
import type { QuantumConfig } from './config.js';
import { handleFrame } from './frame-results.js';
import { quantumHandlers } from './grpc-service.js';
import { JobRunner } from './job-runner.js';
import { JobStore } from './job-store.js';
import { QuantumMetrics } from './metrics.js';
import { SolutionCache } from './solution-cache.js';
import { SolverSlots } from './solver-slots.js';

export interface QuantumService {
  readonly grpcPort: number;
  readonly opsPort: number;
  readonly logger: Logger;
  /** Graceful: not ready, calls drained, consumers committed, jobs finished or requeued, all closed. */
  stop(): Promise<void>;
}

/**
 * A heartbeat between solves keeps the session alive through a long batch. It fails while the
 * group rebalances: stop the batch then (retriable: it is read again, and the frames already
 * handled are skipped as done) rather than hold up the rebalance or dead-letter frames.
 */
async function heartbeat(context: HandlerContext): Promise<void> {
  try {
    await context.heartbeat();
  } catch (error) {
    throw new UnavailableError('kafka', `consumer group rebalancing: ${messageOf(error)}`, { cause: error });
  }
}

/** Largest gRPC message: a job at the limits in proto form (packed varints and doubles), with room. */
function maxRequestBytes(config: QuantumConfig): number {
  const variables = Math.max(config.jobs.maxVariables, config.solves.maxVariables);
  const couplings = Math.max(config.jobs.maxCouplings, config.solves.maxCouplings);
  return Math.max(4 * 1024 * 1024, variables * 9 + couplings * 19 + 64 * 1024);
}

export async function startQuantumService(config: QuantumConfig): Promise<QuantumService> {
  const logger = createLogger({ service: 'quantum', level: config.logLevel });
  if (config.grpcTls.insecure)
    logger.warn(
      'GRPC_INSECURE=true: gRPC in PLAINTEXT and any caller is trusted with any tenant; debugging only',
    );
  const registry = createMetricsRegistry({ service: 'quantum' });
  const metrics = new QuantumMetrics(registry);
  const health = new HealthChecks();
  const avro = schemaRegistry();
  const kafka = createKafkaClient(config.kafka, logger);
  if (config.ensureTopics) await ensureTopics(kafka, topicDefinitions(config.topicEnvironment), logger);

  const pool = servicePool(config.database, `simstream-quantum-${config.instanceId}`);
  if (config.database.migrate) await migrate(pool, logger);
  const redis = createRedis({ url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs });
  redis
    .connect()
    .catch((error: unknown) => logger.warn({ err: error }, 'Redis unavailable: solving without cache'));
  const cache = new SolutionCache(redis, {
    ttlMs: config.cacheTtlMs,
    timeoutMs: config.redis.commandTimeoutMs,
    logger,
    registry,
    events: {
      hit: () => metrics.cacheRequests.inc({ result: 'hit' }),
      miss: () => metrics.cacheRequests.inc({ result: 'miss' }),
      error: () => metrics.cacheErrors.inc(),
    },
  });
  const solving = { cache, metrics };
  const frameSlots = new SolverSlots(config.frames.concurrency);
  const solveSlots = new SolverSlots(config.solves.maxConcurrent);
  const jobSlots = new SolverSlots(config.jobs.maxConcurrent);

  const partitions = new PartitionCounts(kafka);
  const producer = new BatchingProducer({
    transport: kafka.producers(),
    logger,
    partitions,
    name: 'quantum',
    registry,
  });
  await retryKafka(() => producer.connect(), { what: 'connecting the results producer', logger });
  const send = async (topic: string, key: string, value: Buffer): Promise<void> => {
    await producer.send([{ topic, key, value }], { orderingKey: key });
  };
  const publish = (result: QuantumResult) =>
    send(
      TopicName.quantumResults,
      result.simulationId ?? result.jobId ?? '',
      avro.encode(RecordName.QuantumResult, result),
    );
  const dlq = { producer, topic: TopicName.dlq };

  // Frames → partition results.
  const buckets = new BucketTracker(postgresBucketStore(pool));
  let framesJoined = !config.frames.enabled;
  const framesConsumer = new RecordConsumer({
    kafka,
    logger,
    registry: avro,
    groupId: config.groups.frames,
    topics: [TopicName.frames],
    dlq,
    metrics: registry,
    name: 'quantum_frames',
    fromBeginning: config.fromBeginning,
    sessionTimeoutMs: config.sessionTimeoutMs,
    concurrency: config.frames.concurrency,
    onAssignment: () => {
      framesJoined = true;
      buckets.forget();
    },
  });
  const frameDeps = { ...solving, settings: config.frames, buckets, slots: frameSlots, logger, publish };
  if (config.frames.enabled) {
    await framesConsumer.start(async (records, context) => {
      for (const record of records) {
        if (record.name !== RecordName.Frame) continue;
        const frame = record.value as Frame;
        if (config.frames.tenants !== undefined && !config.frames.tenants.has(frame.tenant)) {
          metrics.framesSkipped.inc({ reason: 'tenant_filtered' });
          continue;
        }
        if ((await handleFrame(frameDeps, frame)) === 'published') await heartbeat(context);
      }
    });
  }

  // Jobs.
  const jobLimits = {
    maxVariables: config.jobs.maxVariables,
    maxCouplings: config.jobs.maxCouplings,
    maxTimeMs: config.jobs.maxTimeMs,
    defaultTimeMs: Math.min(60_000, config.jobs.maxTimeMs),
  };
  const store = new JobStore(pool);
  const runner = new JobRunner({
    ...solving,
    store,
    slots: jobSlots,
    instanceId: config.instanceId,
    limits: jobLimits,
    pollIntervalMs: config.jobs.pollIntervalMs,
    leaseMs: config.jobs.leaseMs,
    perTenant: config.perTenant.jobSlots,
    logger,
    publish,
  });
  let jobsJoined = false;
  const jobsConsumer = new RecordConsumer({
    kafka,
    logger,
    registry: avro,
    groupId: config.groups.jobs,
    topics: [TopicName.quantumJobs],
    dlq,
    metrics: registry,
    name: 'quantum_jobs',
    fromBeginning: config.fromBeginning,
    sessionTimeoutMs: config.sessionTimeoutMs,
    // A job waiting for a slot is read again soon after one frees up.
    retryBackoffMs: { initial: 200, max: 2000 },
    commitFloor: (topic, partition) => runner.commitFloor(topic, partition),
    onAssignment: (assignment) => {
      jobsJoined = true;
      runner.onAssignment(assignment);
    },
  });
  await jobsConsumer.start((records) => runner.handle(records));
  const queuedTimer = setInterval(() => {
    store.countQueued().then(
      (n) => metrics.jobsQueued.set(n),
      () => undefined,
    );
  }, 5000);
  queuedTimer.unref();

  // gRPC.
  const contract = loadQuantumContract();
  const grpcServer = createGrpcServer({
    maxReceiveMessageBytes: maxRequestBytes(config),
    reflect: contract.files,
    healthServices: ['simstream.v1.QuantumService'],
    connectionAge: config.connectionAge,
    credentials: serverCredentials(config.grpcTls, { requireClientCertificate: true }),
    gate: identityGate(config.allowedClients, config.grpcTls.insecure, 'quantum'),
  });
  grpcServer.server.addService(
    contract.proto.simstream.v1.QuantumService.service,
    quantumHandlers({
      ...solving,
      slots: solveSlots,
      limits: config.solves,
      progressIntervalMs: config.solves.progressIntervalMs,
      jobs: {
        store,
        limits: jobLimits,
        metrics,
        enqueue: (job: QuantumJob) =>
          send(TopicName.quantumJobs, job.jobId, avro.encode(RecordName.QuantumJob, job)),
        cancelWaitMs: Math.min(3000, config.jobs.pollIntervalMs * 4),
        maxJobsPerTenant: config.perTenant.jobs,
        pollMs: 100,
      },
      logger,
      defaultTenant: config.defaultTenant,
      trustTenantHeader: config.trustTenantHeader,
      solvesPerTenant: config.perTenant.solves,
    }),
  );

  health
    .add('postgres', async () => {
      await pool.query('SELECT 1');
    })
    .add('kafka-metadata', async () => {
      await partitions.of(TopicName.quantumResults, { fresh: true });
    })
    .add('kafka-writes', () => {
      const down = producer.unavailableForMs;
      return down === undefined
        ? Promise.resolve()
        : Promise.reject(new Error(`Kafka writes failing for ${down} ms`));
    })
    .add('consumers', () =>
      framesJoined &&
      jobsJoined &&
      (framesConsumer.isRunning || !config.frames.enabled) &&
      jobsConsumer.isRunning
        ? Promise.resolve()
        : Promise.reject(new Error('consumer groups not joined yet')),
    );

  const grpcPort = await grpcServer.listen(config.grpc.host, config.grpc.port);
  let ops: OpsServer;
  try {
    ops = await startOpsServer({ host: config.opsHost, port: config.opsPort, registry, health, logger });
  } catch (error) {
    await grpcServer.shutdown(0);
    throw error;
  }
  grpcServer.setServing('SERVING');
  logger.info(
    { grpcPort, opsPort: ops.port, instanceId: config.instanceId, framesEveryK: config.frames.everyK },
    'quantum service started',
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
        grpcServer.setServing('NOT_SERVING');
        clearInterval(queuedTimer);
        await grpcServer.shutdown(Math.min(5000, config.drainTimeoutMs));
        if (config.frames.enabled) await framesConsumer.stop().catch(() => undefined);
        await jobsConsumer.stop().catch(() => undefined);
        await runner.stop(config.drainTimeoutMs);
        await producer.close();
        await Promise.all([frameSlots.close(), solveSlots.close(), jobSlots.close()]);
        cache.shutdown();
        redis.disconnect();
        await pool.end();
        await ops.close();
        logger.info('stopped');
      })()),
  };
}
