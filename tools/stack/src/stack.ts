/**
 * The whole system as real processes for end-to-end tests, benchmarks and the demo: ingestion,
 * neuromorphic, quantum, query and gateway on free ports, wired to each other and to the local
 * infrastructure. Each stack gets its own consumer groups (positioned at the end of the topics,
 * so it does not replay what earlier tests wrote) and its own tenants.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { endpoints, tls, type Identity } from '@simstream/infra';
import { TopicName, topicOffsets, type KafkaClient } from '@simstream/kafka';
import { portOr } from './ports.js';
import { startService, type ServiceProcess } from './processes.js';

export type ServiceName = 'ingestion' | 'neuromorphic' | 'quantum' | 'query' | 'gateway';

export interface StackOptions {
  /** Tenants whose frames the analysis services take (others are ignored). */
  readonly tenants: readonly string[];
  /** Quantum: one partition result per simulation per this many steps. */
  readonly quantumEverySteps?: number;
  readonly env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Use the documented default ports (gateway 8080, ingestion 50051 …) where free (the demo). */
  readonly defaultPorts?: boolean;
  /** Which services to start (default: all five); the others keep their ports for a later start. */
  readonly services?: readonly ServiceName[];
}

const DEFAULT_PORTS: Record<ServiceName, { port?: number; ops: number }> = {
  ingestion: { port: 50051, ops: 9101 },
  // Ingestion's internal (mTLS) port is 50054 by default: see internalPort below.
  neuromorphic: { ops: 9102 },
  quantum: { port: 50053, ops: 9103 },
  query: { port: 50052, ops: 9104 },
  gateway: { port: 8080, ops: 9105 },
};

/** Commits the end of `topics` for `group` (one group join), so a new group starts there. */
export async function positionGroupAtEnd(
  kafka: KafkaClient,
  group: string,
  topics: readonly string[],
): Promise<void> {
  const ends = await Promise.all(
    topics.map(async (topic) => ({ topic, offsets: await topicOffsets(kafka, topic) })),
  );
  // Short fetch waits: disconnect waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe(topics, { fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on('assignment', () => resolve()));
    // Nothing is processed or committed by the batches; only the join matters. (No pause: on a
    // fresh broker the first run() can crash while the coordinator loads, and the client restarts
    // it; pausing in that window fails.)
    await consumer.run({ eachBatch: () => Promise.resolve() });
    await withTimeout(joined, 120_000, `consumer group ${group} did not join within 120 s`);
    await consumer.commitOffsets(
      ends.flatMap(({ topic, offsets }) =>
        offsets.map((p) => ({ topic, partition: p.partition, offset: p.high })),
      ),
    );
  } finally {
    await consumer.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class Stack {
  readonly processes = new Map<ServiceName, ServiceProcess>();
  readonly ports: Record<ServiceName, number>;
  /** Ingestion's internal port (mutual TLS, the gateway only). */
  readonly ingestionInternalPort: number;
  readonly adminKey: string;
  /** The CA that signed every service certificate: what a client trusts. */
  readonly caFile: string;
  private readonly env: Record<ServiceName, Record<string, string>>;

  private constructor(
    ports: Record<ServiceName, number>,
    env: Record<ServiceName, Record<string, string>>,
    adminKey: string,
    private readonly opsPorts: Record<ServiceName, number>,
    ingestionInternalPort: number,
  ) {
    this.ports = ports;
    this.ingestionInternalPort = ingestionInternalPort;
    this.caFile = tls().caFile;
    this.env = env;
    this.adminKey = adminKey;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  address(name: 'ingestion' | 'quantum' | 'query'): string {
    return `127.0.0.1:${this.ports[name]}`;
  }

  process(name: ServiceName): ServiceProcess {
    const p = this.processes.get(name);
    if (p === undefined) throw new Error(`${name} is not running`);
    return p;
  }

  static async create(kafka: KafkaClient, options: StackOptions): Promise<Stack> {
    const e = endpoints();
    const run = randomUUID().slice(0, 8);
    const pick = (name: ServiceName) =>
      portOr(options.defaultPorts === true ? DEFAULT_PORTS[name].port : undefined);
    const ports = {
      ingestion: await pick('ingestion'),
      neuromorphic: 0,
      quantum: await pick('quantum'),
      query: await pick('query'),
      gateway: await pick('gateway'),
    };
    const ingestionInternalPort = await portOr(options.defaultPorts === true ? 50054 : undefined);
    const opsPorts = {} as Record<ServiceName, number>;
    for (const name of Object.keys(DEFAULT_PORTS) as ServiceName[]) {
      opsPorts[name] = await portOr(options.defaultPorts === true ? DEFAULT_PORTS[name].ops : undefined);
    }
    const groups = {
      neuromorphic: `simstream-neuromorphic-e2e-${run}`,
      quantumFrames: `simstream-quantum-e2e-${run}`,
      quantumJobs: `simstream-quantum-jobs-e2e-${run}`,
      query: `simstream-query-e2e-${run}`,
    };
    await Promise.all([
      positionGroupAtEnd(kafka, groups.neuromorphic, [TopicName.frames]),
      positionGroupAtEnd(kafka, groups.quantumFrames, [TopicName.frames]),
      positionGroupAtEnd(kafka, groups.quantumJobs, [TopicName.quantumJobs]),
      positionGroupAtEnd(kafka, groups.query, [
        TopicName.frames,
        TopicName.neuromorphicResults,
        TopicName.quantumResults,
      ]),
    ]);
    const common = { KAFKA_BROKERS: e.kafkaBrokers.join(','), LOG_LEVEL: 'info' };
    // Postgres through PgBouncer in transaction mode, as in a cluster (migrations at start too:
    // they lock per transaction, so they are safe behind it).
    // Every service speaks TLS with its own certificate (infra up made them): the tested path.
    const files = tls();
    const tlsOf = (identity: Identity) => ({
      GRPC_TLS_CA_FILE: files.caFile,
      GRPC_TLS_CERT_FILE: files.certFile(identity),
      GRPC_TLS_KEY_FILE: files.keyFile(identity),
    });
    const tenants = options.tenants.join(',');
    const adminKey = `sk_e2eadmin${run}_${randomBytes(24).toString('hex')}`;
    const env: Record<ServiceName, Record<string, string>> = {
      ingestion: {
        ...common,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(ports.ingestion),
        INTERNAL_GRPC_PORT: String(ingestionInternalPort),
        DATABASE_URL: e.pooledDatabaseUrl,
        REDIS_URL: e.redisUrl,
        // Analysis events: ingestion follows results on query with its own certificate.
        QUERY_ADDRESS: `127.0.0.1:${ports.query}`,
        ...tlsOf('ingestion'),
        INSTANCE_ID: `e2e-ingestion-${run}`,
      },
      neuromorphic: {
        ...common,
        DATABASE_URL: e.pooledDatabaseUrl,
        NEURO_CONSUMER_GROUP: groups.neuromorphic,
        NEURO_TENANTS: tenants,
        INSTANCE_ID: `e2e-neuro-${run}`,
      },
      quantum: {
        ...common,
        DATABASE_URL: e.pooledDatabaseUrl,
        REDIS_URL: e.redisUrl,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(ports.quantum),
        QUANTUM_FRAMES_GROUP: groups.quantumFrames,
        QUANTUM_JOBS_GROUP: groups.quantumJobs,
        QUANTUM_TENANTS: tenants,
        QUANTUM_EVERY_K_STEPS: String(options.quantumEverySteps ?? 100),
        ...tlsOf('quantum'),
        INSTANCE_ID: `e2e-quantum-${run}`,
      },
      query: {
        ...common,
        DATABASE_URL: e.pooledDatabaseUrl,
        REDIS_URL: e.redisUrl,
        INFLUX_URL: e.influxUrl,
        INFLUX_DATABASE: e.influxDatabase,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(ports.query),
        QUERY_CONSUMER_GROUP: groups.query,
        ...tlsOf('query'),
        INSTANCE_ID: `e2e-query-${run}`,
      },
      gateway: {
        LOG_LEVEL: 'info',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(ports.gateway),
        DATABASE_URL: e.pooledDatabaseUrl,
        REDIS_URL: e.redisUrl,
        QUERY_ADDRESS: `127.0.0.1:${ports.query}`,
        INGESTION_ADDRESS: `127.0.0.1:${ingestionInternalPort}`,
        QUANTUM_ADDRESS: `127.0.0.1:${ports.quantum}`,
        GATEWAY_BOOTSTRAP_ADMIN_KEY: adminKey,
        ...tlsOf('gateway'),
        INSTANCE_ID: `e2e-gateway-${run}`,
      },
    };
    for (const name of Object.keys(env) as ServiceName[]) Object.assign(env[name], options.env?.[name] ?? {});
    const stack = new Stack(ports, env, adminKey, opsPorts, ingestionInternalPort);
    // Query first (it applies migrations), then the rest together.
    const wanted = new Set(options.services ?? (Object.keys(DEFAULT_PORTS) as ServiceName[]));
    if (wanted.has('query')) await stack.start('query');
    await Promise.all(
      (['ingestion', 'neuromorphic', 'quantum', 'gateway'] as const)
        .filter((n) => wanted.has(n))
        .map((n) => stack.start(n)),
    );
    return stack;
  }

  /** Starts (or restarts) a service on its ports with its environment. */
  async start(name: ServiceName): Promise<ServiceProcess> {
    const p = await startService({
      name,
      main: `services/${name}/dist/main.js`,
      env: this.env[name],
      opsPort: this.opsPorts[name],
      readyTimeoutMs: 120_000,
    });
    this.processes.set(name, p);
    return p;
  }

  async kill9(name: ServiceName): Promise<void> {
    await this.processes.get(name)?.kill9();
    this.processes.delete(name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
    this.processes.clear();
  }
}
