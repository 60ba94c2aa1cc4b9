/**
 * Assembles the neuromorphic service from its config: the tfjs backend, Postgres (migrations,
 * checkpoints), Kafka (topics, the results producer, the frames consumer), the detectors, the
 * ops endpoint; and takes it down gracefully.
 */
import { currentBackend, initCompute } from '@simstream/compute';
import { schemaRegistry } from '@simstream/contracts';
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
import { createDetector } from '@simstream/neuro';
import {
  HealthChecks,
  createLogger,
  createMetricsRegistry,
  startOpsServer,
  type Logger,
  type OpsServer,
} from '@simstream/observability';
import { servicePool, migrate } from '@simstream/storage';
import { PostgresCheckpointStore } from './checkpoint-store.js';
import type { NeuromorphicConfig } from './config.js';
import { DetectorBank } from './detector-bank.js';
import { FrameAnalyzer } from './frame-analyzer.js';
import { NeuroMetrics } from './metrics.js';
import { StepCoalescer } from './step-coalescer.js';

export interface NeuromorphicService {
  readonly opsPort: number;
  readonly logger: Logger;
  /** Graceful: not ready, consuming stopped (batch in hand finished and committed), state checkpointed. */
  stop(): Promise<void>;
}

function within(ms: number, work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

export async function startNeuromorphicService(config: NeuromorphicConfig): Promise<NeuromorphicService> {
  const logger = createLogger({ service: 'neuromorphic', level: config.logLevel });
  const registry = createMetricsRegistry({ service: 'neuromorphic' });
  const metrics = new NeuroMetrics(registry);
  const health = new HealthChecks();
  const avro = schemaRegistry();

  const backend = await initCompute({ backend: config.backend, logger });
  metrics.backendInfo.set(
    { backend: backend.name, tfjs_backend: backend.tfjsBackend, gpu: String(backend.gpu) },
    1,
  );

  const pool = servicePool(config.postgres, `simstream-neuromorphic-${config.instanceId}`);
  const kafka = createKafkaClient(config.kafka, logger);
  const partitions = new PartitionCounts(kafka);
  const producer = new BatchingProducer({
    transport: kafka.producers(),
    logger,
    partitions,
    name: 'neuromorphic_results',
    registry,
  });
  const bank = new DetectorBank((featureDim) => createDetector({ ...config.detector, featureDim }));
  try {
    if (config.postgres.migrate) await migrate(pool, logger);
    if (config.ensureTopics) await ensureTopics(kafka, topicDefinitions(config.topicEnvironment), logger);
    await retryKafka(() => producer.connect(), { what: 'connecting the results producer', logger });
  } catch (error) {
    await producer.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }

  const frames = new FrameAnalyzer({
    bank,
    coalescer: new StepCoalescer(),
    store: new PostgresCheckpointStore(pool),
    sink: producer,
    registry: avro,
    resultsTopic: TopicName.neuromorphicResults,
    metrics,
    logger,
    maxFields: config.maxFields,
    checkpointEvery: config.checkpointEvery,
    checkpointIntervalMs: config.checkpointIntervalMs,
    idleTimeoutMs: config.idleTimeoutMs,
    tenants: config.tenants,
  });
  metrics.simulationsTracked = () => frames.simulations;
  const consumer = new RecordConsumer({
    kafka,
    logger,
    registry: avro,
    groupId: config.consumerGroup,
    topics: [TopicName.frames],
    dlq: { producer, topic: TopicName.dlq },
    metrics: registry,
    name: 'neuromorphic',
    concurrency: config.partitionConcurrency,
    sessionTimeoutMs: config.sessionTimeoutMs,
    commitFloor: (topic, partition) => frames.commitFloor(topic, partition),
    onAssignment: (assignment) => frames.onAssignment(assignment),
  });

  health
    .add('kafka-consumer', () =>
      consumer.isRunning ? Promise.resolve() : Promise.reject(new Error('not consuming')),
    )
    .add('kafka-metadata', async () => {
      await partitions.of(TopicName.frames, { fresh: true });
    })
    .add('kafka-writes', () => {
      const down = producer.unavailableForMs;
      return down === undefined
        ? Promise.resolve()
        : Promise.reject(new Error(`Kafka writes failing for ${down} ms`));
    })
    .add('postgres', async () => {
      await pool.query('SELECT 1');
    })
    .add(`compute-backend:${backend.name}`, () =>
      currentBackend()?.name === backend.name
        ? Promise.resolve()
        : Promise.reject(new Error(`tfjs backend changed to ${currentBackend()?.name ?? 'none'}`)),
    );

  let ops: OpsServer | undefined;
  try {
    ops = await startOpsServer({ host: config.opsHost, port: config.opsPort, registry, health, logger });
    await consumer.start((records, context) => frames.handle(records, context));
  } catch (error) {
    await consumer.stop().catch(() => undefined);
    await ops?.close();
    await producer.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
  const sweepMs = Math.max(1000, Math.min(config.checkpointIntervalMs, config.idleTimeoutMs) / 2);
  const sweeper = setInterval(() => {
    frames.sweep().catch((error: unknown) => logger.warn({ err: error }, 'sweep failed'));
  }, sweepMs);
  sweeper.unref();
  logger.info(
    {
      opsPort: ops.port,
      instanceId: config.instanceId,
      backend: backend.name,
      consumerGroup: config.consumerGroup,
      tenants: config.tenants === undefined ? 'all' : [...config.tenants],
    },
    'neuromorphic service started',
  );

  const opsServer = ops;
  let stopping: Promise<void> | undefined;
  return {
    opsPort: opsServer.port,
    logger,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('draining');
        health.startDraining();
        clearInterval(sweeper);
        await within(config.drainTimeoutMs, consumer.stop());
        await within(config.drainTimeoutMs, frames.shutdown());
        await producer.close();
        await pool.end().catch(() => undefined);
        bank.dispose();
        await opsServer.close();
        logger.info('stopped');
      })()),
  };
}
