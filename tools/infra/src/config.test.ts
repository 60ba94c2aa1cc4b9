import { describe, expect, it } from 'vitest';
import { ConfigError } from '@simstream/errors';
import { endpointsOf, loadInfraConfig, parseServiceNames, renderEnvExports } from './config.js';

const defaults = { repoRoot: '/repo', isRoot: false };

describe('loadInfraConfig', () => {
  it('uses loopback, the repository .data folder and the standard ports by default', () => {
    const config = loadInfraConfig({ HOME: '/home/dev' }, defaults);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('/repo/.data');
    expect(config.cacheDir).toBe('/home/dev/.cache/simstream');
    expect(config.m2Repository).toBe('/home/dev/.m2/repository');
    expect(config.mavenRepoUrl).toBe('https://repo.maven.apache.org/maven2');
    expect(config.java).toBe('java');
    expect([
      config.kafka.port,
      config.kafka.controllerPort,
      config.postgres.port,
      config.redis.port,
      config.influxdb.port,
    ]).toEqual([9092, 9093, 5432, 6379, 8086]);
    expect(config.kafka.heapOpts).toEqual(['-Xmx1g', '-Xms1g']);
  });

  it('reads every override from the injected environment', () => {
    const config = loadInfraConfig(
      {
        HOME: '/h',
        XDG_CACHE_HOME: '/xdg',
        JAVA_HOME: '/opt/jdk',
        SIMSTREAM_DATA_DIR: 'tmp/data',
        SIMSTREAM_MAVEN_REPO: 'https://mirror.example/maven2/',
        SIMSTREAM_KAFKA_PORT: '19092',
        SIMSTREAM_KAFKA_CONTROLLER_PORT: '19093',
        SIMSTREAM_POSTGRES_PORT: '15432',
        SIMSTREAM_REDIS_PORT: '16379',
        SIMSTREAM_INFLUX_PORT: '18086',
        SIMSTREAM_KAFKA_HEAP_OPTS: '-Xmx1g  -Xms1g',
      },
      defaults,
    );
    expect(config.dataDir).toBe('/repo/tmp/data');
    expect(config.cacheDir).toBe('/xdg/simstream');
    expect(config.java).toBe('/opt/jdk/bin/java');
    expect(config.mavenRepoUrl).toBe('https://mirror.example/maven2');
    expect(config.kafka.port).toBe(19092);
    expect(config.postgres.port).toBe(15432);
    expect(config.kafka.heapOpts).toEqual(['-Xmx1g', '-Xms1g']);
  });

  it('lists every problem at once', () => {
    let caught: unknown;
    try {
      loadInfraConfig(
        {
          SIMSTREAM_KAFKA_PORT: 'abc',
          SIMSTREAM_REDIS_PORT: '70000',
          SIMSTREAM_POSTGRES_PORT: '8086',
          SIMSTREAM_MAVEN_REPO: 'ftp://x',
        },
        defaults,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/SIMSTREAM_KAFKA_PORT/);
    expect(problems.join('\n')).toMatch(/SIMSTREAM_REDIS_PORT/);
    expect(problems.join('\n')).toMatch(/SIMSTREAM_INFLUX_PORT and SIMSTREAM_POSTGRES_PORT are both 8086/);
    expect(problems.join('\n')).toMatch(/SIMSTREAM_MAVEN_REPO/);
  });
});

describe('the Kafka cluster settings', () => {
  it('keeps the single broker by default and describes the cluster on its own ports and dir', () => {
    const config = loadInfraConfig({ SIMSTREAM_DATA_DIR: '/d' }, defaults);
    expect(config.kafka.brokers).toBe(1);
    expect(config.kafkaCluster.dir).toBe('/d/kafka-cluster');
    expect(config.kafkaCluster.nodes).toEqual([
      { nodeId: 1, port: 19092, controllerPort: 19192 },
      { nodeId: 2, port: 19093, controllerPort: 19193 },
      { nodeId: 3, port: 19094, controllerPort: 19194 },
    ]);
    expect(config.kafkaCluster.heapOpts).toEqual(['-Xmx384m', '-Xms384m']);
  });

  it('points clients at all three brokers when SIMSTREAM_KAFKA_BROKERS=3', () => {
    const config = loadInfraConfig(
      {
        SIMSTREAM_KAFKA_BROKERS: '3',
        SIMSTREAM_KAFKA_CLUSTER_PORT: '29092',
        SIMSTREAM_KAFKA_CLUSTER_CONTROLLER_PORT: '29192',
        SIMSTREAM_KAFKA_CLUSTER_DIR: '/c',
      },
      defaults,
    );
    expect(config.kafka.brokers).toBe(3);
    expect(config.kafkaCluster.dir).toBe('/c');
    expect(endpointsOf(config).kafkaBrokers).toEqual([
      '127.0.0.1:29092',
      '127.0.0.1:29093',
      '127.0.0.1:29094',
    ]);
  });

  it('refuses other broker counts and cluster ports that collide', () => {
    expect(() => loadInfraConfig({ SIMSTREAM_KAFKA_BROKERS: '2' }, defaults)).toThrow(
      /SIMSTREAM_KAFKA_BROKERS must be 1 or 3/,
    );
    expect(() =>
      loadInfraConfig(
        { SIMSTREAM_KAFKA_BROKERS: '3', SIMSTREAM_KAFKA_CLUSTER_CONTROLLER_PORT: '19093' },
        defaults,
      ),
    ).toThrow(
      /SIMSTREAM_KAFKA_CLUSTER_PORT \(node 2\) and SIMSTREAM_KAFKA_CLUSTER_CONTROLLER_PORT \(node 1\)/,
    );
  });
});

describe('endpoints', () => {
  it('renders client URLs and shell exports', () => {
    const endpoints = endpointsOf(loadInfraConfig({}, defaults));
    expect(endpoints).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      databaseUrl: 'postgres://simstream:simstream@127.0.0.1:5432/simstream',
      pooledDatabaseUrl: 'postgres://simstream:simstream@127.0.0.1:6432/simstream',
      redisUrl: 'redis://127.0.0.1:6379',
      influxUrl: 'http://127.0.0.1:8086',
      influxDatabase: 'simstream',
    });
    expect(renderEnvExports(endpoints)).toBe(
      [
        'export KAFKA_BROKERS=127.0.0.1:9092',
        'export DATABASE_URL=postgres://simstream:simstream@127.0.0.1:5432/simstream',
        'export REDIS_URL=redis://127.0.0.1:6379',
        'export INFLUX_URL=http://127.0.0.1:8086',
        'export INFLUX_DATABASE=simstream',
        '',
      ].join('\n'),
    );
  });
});

describe('parseServiceNames', () => {
  it('means all services when empty, keeps canonical order, refuses unknown names', () => {
    expect(parseServiceNames([])).toEqual(['kafka', 'postgres', 'redis', 'influxdb', 'pgbouncer']);
    expect(parseServiceNames(['redis', 'kafka'])).toEqual(['kafka', 'redis']);
    expect(() => parseServiceNames(['kafka', 'mysql'])).toThrow(/unknown service "mysql"/);
  });

  it('takes one Kafka cluster node by name', () => {
    expect(parseServiceNames(['kafka-3', 'redis', 'kafka-1'])).toEqual(['redis', 'kafka-1', 'kafka-3']);
    expect(() => parseServiceNames(['kafka-4'])).toThrow(/unknown service "kafka-4"/);
  });
});
