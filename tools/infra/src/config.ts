/**
 * The one typed configuration of the local infrastructure: ports, directories, the Maven
 * repository and JVM options, read once from an injected environment so nothing else in this
 * package touches process.env. Every problem is reported at once as a ConfigError.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '@simstream/errors';

export const SERVICE_NAMES = ['kafka', 'postgres', 'redis', 'influxdb', 'pgbouncer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Nodes of the local Kafka cluster (SIMSTREAM_KAFKA_BROKERS=3): a controller quorum of three. */
export const KAFKA_CLUSTER_SIZE = 3;
/** One node of the Kafka cluster, e.g. `kafka-2`; the single broker is plain `kafka`. */
export type KafkaNodeName = `kafka-${number}`;
/** What the orchestrator starts and stops as one process: a service, or one Kafka cluster node. */
export type UnitName = ServiceName | KafkaNodeName;

export interface KafkaNodePorts {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface InfraConfig {
  /** Loopback address every service binds to; never a wildcard. */
  readonly host: string;
  /** Root of all service data, logs, pid files: one subfolder per service. */
  readonly dataDir: string;
  /** Downloads kept between clones (Kafka jars), e.g. ~/.cache/simstream. */
  readonly cacheDir: string;
  /** Maven repository base URL the Kafka jars are fetched from. */
  readonly mavenRepoUrl: string;
  /** A local Maven repository whose jars are reused when their checksum matches. */
  readonly m2Repository: string;
  /** The java executable (JAVA_HOME/bin/java or java on PATH). */
  readonly java: string;
  readonly kafka: {
    /** 1: the single broker on `port`; 3: the cluster below (SIMSTREAM_KAFKA_BROKERS). */
    readonly brokers: 1 | 3;
    readonly port: number;
    readonly controllerPort: number;
    readonly heapOpts: readonly string[];
  };
  /**
   * The 3-node KRaft cluster (each node broker and controller) used instead of the single
   * broker when `kafka.brokers` is 3: its own ports and data dir, so both can exist side by side.
   */
  readonly kafkaCluster: {
    /** One `node-N` folder per node below it, and the cluster id they share. */
    readonly dir: string;
    readonly nodes: readonly KafkaNodePorts[];
    readonly heapOpts: readonly string[];
  };
  readonly postgres: {
    readonly port: number;
    readonly user: string;
    readonly password: string;
    readonly database: string;
  };
  readonly redis: { readonly port: number };
  /** PgBouncer in transaction mode in front of Postgres (the cluster's pooler, locally). */
  readonly pgbouncer: {
    readonly port: number;
    /** Server connections it opens to Postgres at most (default_pool_size, max_db_connections). */
    readonly poolSize: number;
    readonly maxClientConn: number;
  };
  readonly influxdb: { readonly port: number; readonly rpcPort: number; readonly database: string };
  /** Whether this process runs as root (Postgres then runs as the `postgres` system user). */
  readonly isRoot: boolean;
  /** The environment handed to the processes we start (PATH, HOME, locale). */
  readonly childEnv: Env;
}

export interface ConfigDefaults {
  /** Repository root; `.data/` below it is the default data dir. */
  readonly repoRoot: string;
  readonly isRoot: boolean;
}

export const DEFAULT_MAVEN_REPO = 'https://repo.maven.apache.org/maven2';

/** Reads the infrastructure configuration from `env`; throws ConfigError listing every problem. */
export function loadInfraConfig(env: Env, defaults: ConfigDefaults): InfraConfig {
  const problems: string[] = [];
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) {
      problems.push(`${name} must be a TCP port (1-65535), got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const dir = (name: string, fallback: string): string => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!isAbsolute(raw)) {
      // Relative dirs would silently depend on the caller's cwd; resolve against the repo root.
      return resolve(defaults.repoRoot, raw);
    }
    return raw;
  };

  const home = env.HOME ?? '/root';
  const xdgCache =
    env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(home, '.cache');
  const mavenRepoUrl = (env.SIMSTREAM_MAVEN_REPO ?? DEFAULT_MAVEN_REPO).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(mavenRepoUrl))
    problems.push(`SIMSTREAM_MAVEN_REPO must be an http(s) URL, got "${mavenRepoUrl}"`);
  const jvmOpts = (name: string, fallback: string): string[] => {
    const raw = env[name] ?? fallback;
    const opts = raw.split(/\s+/).filter((s) => s !== '');
    if (opts.some((opt) => !opt.startsWith('-X')))
      problems.push(`${name} must be JVM -X options, got "${raw}"`);
    return opts;
  };
  const heapOpts = jvmOpts('SIMSTREAM_KAFKA_HEAP_OPTS', '-Xmx1g -Xms1g');
  const brokersRaw = env.SIMSTREAM_KAFKA_BROKERS ?? '1';
  if (brokersRaw !== '1' && brokersRaw !== String(KAFKA_CLUSTER_SIZE))
    problems.push(`SIMSTREAM_KAFKA_BROKERS must be 1 or ${KAFKA_CLUSTER_SIZE}, got "${brokersRaw}"`);
  // Three consecutive ports from each base: brokers 19092-19094, controllers 19192-19194.
  const clusterPort = port('SIMSTREAM_KAFKA_CLUSTER_PORT', 19092);
  const clusterControllerPort = port('SIMSTREAM_KAFKA_CLUSTER_CONTROLLER_PORT', 19192);
  for (const [name, base] of [
    ['SIMSTREAM_KAFKA_CLUSTER_PORT', clusterPort],
    ['SIMSTREAM_KAFKA_CLUSTER_CONTROLLER_PORT', clusterControllerPort],
  ] as const) {
    if (base + KAFKA_CLUSTER_SIZE - 1 > 65535)
      problems.push(`${name} leaves no room for ${KAFKA_CLUSTER_SIZE} consecutive ports, got ${base}`);
  }
  const javaHome = env.JAVA_HOME;
  const dataDir = dir('SIMSTREAM_DATA_DIR', join(defaults.repoRoot, '.data'));

  const config: InfraConfig = {
    host: '127.0.0.1',
    dataDir,
    cacheDir: dir('SIMSTREAM_CACHE_DIR', join(xdgCache, 'simstream')),
    mavenRepoUrl,
    m2Repository: dir('SIMSTREAM_M2_REPOSITORY', join(home, '.m2', 'repository')),
    java: javaHome !== undefined && javaHome !== '' ? join(javaHome, 'bin', 'java') : 'java',
    kafka: {
      brokers: brokersRaw === String(KAFKA_CLUSTER_SIZE) ? 3 : 1,
      port: port('SIMSTREAM_KAFKA_PORT', 9092),
      controllerPort: port('SIMSTREAM_KAFKA_CONTROLLER_PORT', 9093),
      heapOpts,
    },
    kafkaCluster: {
      dir: dir('SIMSTREAM_KAFKA_CLUSTER_DIR', join(dataDir, 'kafka-cluster')),
      nodes: Array.from({ length: KAFKA_CLUSTER_SIZE }, (_, i) => ({
        nodeId: i + 1,
        port: clusterPort + i,
        controllerPort: clusterControllerPort + i,
      })),
      heapOpts: jvmOpts('SIMSTREAM_KAFKA_CLUSTER_HEAP_OPTS', '-Xmx384m -Xms384m'),
    },
    postgres: {
      port: port('SIMSTREAM_POSTGRES_PORT', 5432),
      user: 'simstream',
      password: 'simstream',
      database: 'simstream',
    },
    redis: { port: port('SIMSTREAM_REDIS_PORT', 6379) },
    // 40 of the local Postgres's 100 connections; the rest stay for direct users (migrations,
    // tests, psql) and for stacks that run beside this one on the same server.
    pgbouncer: { port: port('SIMSTREAM_PGBOUNCER_PORT', 6432), poolSize: 40, maxClientConn: 1000 },
    influxdb: {
      port: port('SIMSTREAM_INFLUX_PORT', 8086),
      rpcPort: port('SIMSTREAM_INFLUX_RPC_PORT', 8088),
      database: 'simstream',
    },
    isRoot: defaults.isRoot,
    childEnv: env,
  };

  const ports: (readonly [string, number])[] = [
    ['SIMSTREAM_KAFKA_PORT', config.kafka.port],
    ['SIMSTREAM_KAFKA_CONTROLLER_PORT', config.kafka.controllerPort],
    ['SIMSTREAM_POSTGRES_PORT', config.postgres.port],
    ['SIMSTREAM_REDIS_PORT', config.redis.port],
    ['SIMSTREAM_PGBOUNCER_PORT', config.pgbouncer.port],
    ['SIMSTREAM_INFLUX_PORT', config.influxdb.port],
    ['SIMSTREAM_INFLUX_RPC_PORT', config.influxdb.rpcPort],
    // The cluster's ports matter only when it is the Kafka asked for (both may run side by side).
    ...(config.kafka.brokers === 1 ? [] : config.kafkaCluster.nodes).flatMap((n) => [
      [`SIMSTREAM_KAFKA_CLUSTER_PORT (node ${n.nodeId})`, n.port] as const,
      [`SIMSTREAM_KAFKA_CLUSTER_CONTROLLER_PORT (node ${n.nodeId})`, n.controllerPort] as const,
    ]),
  ];
  const seen = new Map<number, string>();
  for (const [name, value] of ports) {
    const other = seen.get(value);
    if (other !== undefined) problems.push(`${name} and ${other} are both ${value}`);
    seen.set(value, name);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The data folder of one service. */
export function serviceDir(config: InfraConfig, service: ServiceName): string {
  return join(config.dataDir, service);
}

/** The data folder of one Kafka cluster node. */
export function kafkaNodeDir(config: InfraConfig, nodeId: number): string {
  return join(config.kafkaCluster.dir, `node-${nodeId}`);
}

/** `kafka-N` for the cluster node with id N. */
export function kafkaNodeName(nodeId: number): KafkaNodeName {
  return `kafka-${nodeId}`;
}

/** The cluster node id a unit name stands for (`kafka-2` → 2), or undefined. */
export function kafkaNodeIdOf(name: string): number | undefined {
  const match = /^kafka-(\d+)$/.exec(name);
  const id = match === null ? undefined : Number(match[1]);
  return id !== undefined && id >= 1 && id <= KAFKA_CLUSTER_SIZE ? id : undefined;
}

/** Parses a list of service or cluster node names (CLI arguments); empty means all services. */
export function parseServiceNames(names: readonly string[]): UnitName[] {
  if (names.length === 0) return [...SERVICE_NAMES];
  const known = (n: string) =>
    (SERVICE_NAMES as readonly string[]).includes(n) || kafkaNodeIdOf(n) !== undefined;
  const unknown = names.filter((n) => !known(n));
  if (unknown.length > 0) {
    const list = `${SERVICE_NAMES.join(', ')}, kafka-1 … kafka-${KAFKA_CLUSTER_SIZE}`;
    throw new ConfigError(unknown.map((n) => `unknown service "${n}" (known: ${list})`));
  }
  const nodes = [...new Set(names.map(kafkaNodeIdOf).filter((id) => id !== undefined))].sort();
  return [...SERVICE_NAMES.filter((n) => names.includes(n)), ...nodes.map(kafkaNodeName)];
}

export interface Endpoints {
  readonly kafkaBrokers: string[];
  /** Postgres itself: migrations, and tests that need session state. */
  readonly databaseUrl: string;
  /** The same database through PgBouncer in transaction mode, as the services reach it in a cluster. */
  readonly pooledDatabaseUrl: string;
  readonly redisUrl: string;
  readonly influxUrl: string;
  readonly influxDatabase: string;
}

/** Where clients reach each service. */
export function endpointsOf(config: InfraConfig): Endpoints {
  const { host, postgres: pg } = config;
  return {
    kafkaBrokers:
      config.kafka.brokers === 1
        ? [`${host}:${config.kafka.port}`]
        : config.kafkaCluster.nodes.map((n) => `${host}:${n.port}`),
    databaseUrl: `postgres://${pg.user}:${pg.password}@${host}:${pg.port}/${pg.database}`,
    pooledDatabaseUrl: `postgres://${pg.user}:${pg.password}@${host}:${config.pgbouncer.port}/${pg.database}`,
    redisUrl: `redis://${host}:${config.redis.port}`,
    influxUrl: `http://${host}:${config.influxdb.port}`,
    influxDatabase: config.influxdb.database,
  };
}

/** Shell `export` lines for the endpoints (`pnpm infra env`). */
export function renderEnvExports(endpoints: Endpoints): string {
  const vars: [string, string][] = [
    ['KAFKA_BROKERS', endpoints.kafkaBrokers.join(',')],
    ['DATABASE_URL', endpoints.databaseUrl],
    ['REDIS_URL', endpoints.redisUrl],
    ['INFLUX_URL', endpoints.influxUrl],
    ['INFLUX_DATABASE', endpoints.influxDatabase],
  ];
  return vars.map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n') + '\n';
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
