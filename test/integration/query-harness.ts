/**
 * Support for the query service's integration tests: starting it on free ports with its own
 * consumer group (positioned at the current end of the topics, so it materializes only what the
 * test writes), a typed gRPC client, result records produced straight to the result topics,
 * and reads of what landed in Postgres and InfluxDB.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import {
  RecordName,
  loadQueryContract,
  schemaRegistry,
  type Frame,
  type NeuromorphicResult,
  type QuantumResult,
  type pb,
} from '@simstream/contracts';
import { endpoints } from '@simstream/infra';
import { BatchingProducer, PartitionCounts, TopicName, type KafkaClient } from '@simstream/kafka';
import { InfluxWriter, createPool, type Pool } from '@simstream/storage';
import {
  REPO_ROOT,
  freePort,
  quietLogger,
  startService,
  type ServiceProcess,
  serviceTlsEnv,
  serviceCredentials,
  positionGroupAtEnd as positionStackGroupAtEnd,
} from '../src/index.js';

export const MATERIALIZED_TOPICS = [
  TopicName.frames,
  TopicName.neuromorphicResults,
  TopicName.quantumResults,
];

export interface QueryProcess extends ServiceProcess {
  readonly grpcAddress: string;
  readonly group: string;
}

/**
 * Commits the group's offsets at the current end of every materialized topic, in one group
 * join (kafkajs' admin.setOffsets joins once per topic, seconds each).
 */
export function positionGroupAtEnd(kafka: KafkaClient, group: string): Promise<void> {
  return positionStackGroupAtEnd(kafka, group, MATERIALIZED_TOPICS);
}

export async function startQuery(
  group: string,
  env: Record<string, string> = {},
  reuse?: { grpcPort: number },
): Promise<QueryProcess> {
  const e = endpoints();
  const grpcPort = reuse?.grpcPort ?? (await freePort());
  const service = await startService({
    name: 'query',
    main: 'services/query/dist/main.js',
    env: {
      KAFKA_BROKERS: e.kafkaBrokers.join(','),
      DATABASE_URL: e.databaseUrl,
      REDIS_URL: e.redisUrl,
      INFLUX_URL: e.influxUrl,
      INFLUX_DATABASE: e.influxDatabase,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      QUERY_CONSUMER_GROUP: group,
      INSTANCE_ID: `test-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'info',
      // A killed instance's partitions move after 6 s (the broker's minimum), not 30 s.
      QUERY_CONSUMER_SESSION_TIMEOUT: '6s',
      ...serviceTlsEnv('query'),
      ...env,
    },
  });
  return { ...service, grpcAddress: `127.0.0.1:${grpcPort}`, group };
}

export type QueryClient = ReturnType<typeof queryClient>;

/** Promise-returning unary calls and the raw client for streams. */
export function queryClient(address: string) {
  const { proto } = loadQueryContract();
  // As the gateway: the one identity the query service answers.
  const raw = new proto.simstream.v1.QueryService(address, serviceCredentials('gateway'));
  const unary =
    <Req, Res>(method: (req: Req, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown) =>
    (req: Req) =>
      new Promise<Res>((resolve, reject) =>
        method.call(raw, req, (error, response) => (error ? reject(error) : resolve(response!))),
      );
  return {
    raw,
    listSimulations: unary<pb.ListSimulationsRequest, pb.ListSimulationsResponse__Output>(
      raw.ListSimulations,
    ),
    getSimulation: unary<pb.GetSimulationRequest, pb.Simulation__Output>(raw.GetSimulation),
    listResults: unary<pb.ListResultsRequest, pb.ListResultsResponse__Output>(raw.ListResults),
    close: () => raw.close(),
  };
}

export function neuromorphicResult(
  simulationId: string,
  step: number,
  producedAt: number,
): NeuromorphicResult {
  return {
    simulationId,
    step,
    simTime: step * 0.01,
    anomalyScore: ((step * 37) % 100) / 100,
    rawScore: step / 7,
    featureNames: ['u.mean', 'u.std'],
    features: [0.5, 0.25],
    prediction: [0.5, 0.125],
    spikeRate: 0.125,
    patternId: step % 3,
    novelty: 0.5,
    processingMs: 1.5,
    backend: 'cpu',
    model: 'test',
    producedAt,
  };
}

export function quantumResult(simulationId: string, bucketStep: number, producedAt: number): QuantumResult {
  return {
    source: 'frame',
    simulationId,
    step: bucketStep + 3,
    bucketStep,
    jobId: null,
    problemKind: 'partition',
    problemHash: `hash-${bucketStep}`,
    variables: 4,
    solver: 'sa',
    backend: 'cpu',
    energy: -bucketStep - 0.5,
    cut: 3,
    imbalance: 0.25,
    solution: Buffer.from([0, 1, 0, 1]),
    reads: 2,
    sweeps: 1000,
    timeToBestMs: 3,
    totalMs: 9,
    stoppedBy: 'completed',
    cached: false,
    producedAt,
  };
}

/** Writes result records (Avro single objects) to the result topics, keyed like the services do. */
export class ResultWriter {
  private readonly producer: BatchingProducer;
  private readonly avro = schemaRegistry();

  constructor(kafka: KafkaClient) {
    this.producer = new BatchingProducer({
      transport: kafka.producers('kafkajs'),
      logger: quietLogger('results'),
      partitions: new PartitionCounts(kafka),
      name: 'test_results',
    });
  }

  async neuromorphic(results: readonly NeuromorphicResult[]): Promise<void> {
    await this.producer.send(
      results.map((r) => ({
        topic: TopicName.neuromorphicResults,
        key: r.simulationId,
        value: this.avro.encode(RecordName.NeuromorphicResult, r),
      })),
    );
  }

  /** Frame records straight onto the frames topic (as ingestion writes them, without its checks). */
  async frames(frames: readonly Frame[]): Promise<void> {
    await this.producer.send(
      frames.map((f) => ({
        topic: TopicName.frames,
        key: f.simulationId,
        value: this.avro.encode(RecordName.Frame, f),
      })),
    );
  }

  async quantum(results: readonly QuantumResult[]): Promise<void> {
    await this.producer.send(
      results.map((r) => ({
        topic: TopicName.quantumResults,
        key: r.simulationId ?? r.jobId ?? 'none',
        value: this.avro.encode(RecordName.QuantumResult, r),
      })),
    );
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

export function testPool(): Pool {
  return createPool({ url: endpoints().databaseUrl, max: 4 });
}

export function testInflux(): InfluxWriter {
  const e = endpoints();
  return new InfluxWriter({ url: e.influxUrl, database: e.influxDatabase });
}

/** Number of points of `measurement` for a simulation (InfluxQL COUNT of one field). */
export async function influxCount(
  influx: InfluxWriter,
  measurement: string,
  field: string,
  simulation: string,
) {
  const answer = (await influx.query(
    `SELECT COUNT("${field}") FROM "${measurement}" WHERE "simulation" = '${simulation}'`,
  )) as { results: { series?: { values: [number, number][] }[] }[] };
  return answer.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Steps streamed by TailResults until `stop` says so or the timeout passes. */
export function collectTail(
  client: QueryClient,
  request: pb.TailResultsRequest,
  stop: (steps: number[]) => boolean,
  timeoutMs = 30_000,
): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const steps: number[] = [];
    const call = client.raw.TailResults(request);
    const timer = setTimeout(() => {
      call.cancel();
      reject(
        new Error(`tail: got ${steps.length} results (last ${steps.at(-1)}), condition not met in time`),
      );
    }, timeoutMs);
    call.on('data', (r: pb.Result__Output) => {
      steps.push(r.step);
      if (stop(steps)) {
        clearTimeout(timer);
        call.cancel();
        resolve(steps);
      }
    });
    call.on('error', (error: grpc.ServiceError) => {
      if (error.code === grpc.status.CANCELLED) return;
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Every step of a ListResults query, following the page tokens. */
export async function allSteps(client: QueryClient, request: pb.ListResultsRequest) {
  const steps: number[] = [];
  let pageToken = '';
  let pages = 0;
  do {
    const page = await client.listResults({ ...request, pageToken });
    steps.push(...page.results.map((r) => r.step));
    pageToken = page.nextPageToken;
    pages++;
  } while (pageToken !== '');
  return { steps, pages };
}

export interface ExportSummary {
  readonly rows: number;
  readonly columns: Record<string, string>;
  readonly steps: number[];
  readonly score_sum: number;
  readonly first_produced_ms?: number;
}

/** ExportArrow's chunks concatenated into a file, read by pyarrow and by polars (test/python). */
export async function readExport(
  client: QueryClient,
  request: pb.ExportArrowRequest,
  python: string,
): Promise<Record<'pyarrow' | 'polars', ExportSummary>> {
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const call = client.raw.ExportArrow(request);
    call.on('data', (c: pb.ArrowChunk__Output) => chunks.push(c.data));
    call.on('end', resolve);
    call.on('error', reject);
  });
  const file = path.join(tmpdir(), `query-export-${randomUUID()}.arrow`);
  await writeFile(file, Buffer.concat(chunks));
  const { stdout } = await promisify(execFile)(python, [
    path.join(REPO_ROOT, 'test/python/read_arrow_stream.py'),
    file,
  ]).finally(() => rm(file, { force: true }));
  return JSON.parse(stdout) as Record<'pyarrow' | 'polars', ExportSummary>;
}
