/**
 * The local infrastructure for real: brings up Kafka, Postgres, Redis, InfluxDB and PgBouncer (as
 * `pnpm infra up` does), checks each with its own protocol, stops and restarts the broker with
 * its data intact, refuses foreign ports and foreign pids, and checks the Kafka jar cache
 * against a loopback Maven mirror. Leaves the shared services running for the other tests.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  createInfra,
  fetchKafkaMetadata,
  PortInUseError,
  StartFailedError,
  type Infra,
} from '@simstream/infra';

const run = promisify(execFile);
const log = (line: string): void => void process.stderr.write(`[infra-test] ${line}\n`);
const TOPIC = 'simstream.infra-test.v1';

async function redisPing(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(3000, () => reject(new Error('timeout')));
    socket.once('error', reject);
    socket.once('data', (data: Buffer) => {
      socket.destroy();
      resolve(data.toString('utf8').trim());
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

async function runKafkaTool(infra: Infra, mainClass: string, args: string[]): Promise<string> {
  const command = await infra.kafkaToolCommand(mainClass, args, ['-Xmx256m']);
  const { stdout } = await run(command.command, command.args, { timeout: 120_000 });
  return stdout;
}

/** A free loopback port (listen on 0, close). */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('local infrastructure (shared .data/)', () => {
  const infra = createInfra({ log });

  beforeAll(async () => {
    const t0 = Date.now();
    const results = await infra.up();
    log(
      `up: ${((Date.now() - t0) / 1000).toFixed(1)} s (${results.map((r) => `${r.name} ${r.action} ${r.readyMs} ms`).join(', ')})`,
    );
  });

  it('reports all five running and ready, and each answers its own protocol', async () => {
    const statuses = await infra.status();
    expect(statuses.map((s) => [s.name, s.state, s.ready])).toEqual([
      ['kafka', 'running', true],
      ['postgres', 'running', true],
      ['redis', 'running', true],
      ['influxdb', 'running', true],
      ['pgbouncer', 'running', true],
    ]);
    for (const s of statuses) {
      expect(s.pid).toBeGreaterThan(0);
      expect(s.version).not.toBeNull();
      expect(s.rssKiB).toBeGreaterThan(0);
    }
    expect(statuses[0]!.version).toMatch(/^4\.2\.\d+$/);
    // Beyond the jars: what the broker finalized (transactions v2 on a store 4.2 formatted).
    expect(statuses[0]!.detail).toMatch(/transaction\.version \d, metadata\.version level \d+/);

    const endpoints = infra.endpoints();
    const [host, port] = endpoints.kafkaBrokers[0]!.split(':');
    const metadata = await fetchKafkaMetadata(host!, Number(port), 5000);
    expect(metadata.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: Number(port) }]);

    const { stdout } = await run('psql', [
      '-X',
      '-A',
      '-t',
      '-c',
      'select current_user, current_database()',
      endpoints.databaseUrl,
    ]);
    expect(stdout.trim()).toBe('simstream|simstream');
    // Through PgBouncer: the same database, with the statement timeout PgBouncer sets.
    const pooled = await run('psql', [
      '-X',
      '-A',
      '-t',
      '-c',
      "select current_database(), current_setting('statement_timeout')",
      endpoints.pooledDatabaseUrl,
    ]);
    expect(pooled.stdout.trim()).toBe('simstream|30s');

    expect(await redisPing(Number(new URL(endpoints.redisUrl).port))).toBe('+PONG');

    const ping = await fetch(`${endpoints.influxUrl}/ping`);
    expect(ping.status).toBe(204);
    const write = await fetch(`${endpoints.influxUrl}/write?db=${endpoints.influxDatabase}`, {
      method: 'POST',
      body: 'infra_test,source=vitest value=1',
    });
    expect(write.status).toBe(204);
  });

  it('is idempotent: a second up finds everything already running with the same pids', async () => {
    const before = await infra.status();
    const t0 = Date.now();
    const again = await infra.up();
    log(`warm up: ${Date.now() - t0} ms`);
    expect(again.map((r) => r.action)).toEqual(before.map(() => 'already-running'));
    expect(again.map((r) => r.pid)).toEqual(before.map((s) => s.pid));
  });

  it('stops the broker, sees it gone, starts it again with its topics intact', async () => {
    await runKafkaTool(infra, 'org.apache.kafka.tools.TopicCommand', [
      '--bootstrap-server',
      infra.endpoints().kafkaBrokers[0]!,
      '--create',
      '--if-not-exists',
      '--topic',
      TOPIC,
      '--partitions',
      '2',
      '--replication-factor',
      '1',
    ]);
    const pidBefore = (await infra.status(['kafka']))[0]!.pid;

    const stopped = await infra.stop('kafka');
    expect(stopped.action).toBe('stopped');
    const down = (await infra.status(['kafka']))[0]!;
    expect([down.state, down.ready, down.pid]).toEqual(['stopped', false, null]);
    await expect(fetchKafkaMetadata('127.0.0.1', infra.config.kafka.port, 2000)).rejects.toThrow();

    const t0 = Date.now();
    const started = await infra.start('kafka');
    log(`kafka restart: ready after ${Date.now() - t0} ms`);
    expect(started.action).toBe('started');
    expect(started.pid).not.toBe(pidBefore);
    const metadata = await fetchKafkaMetadata('127.0.0.1', infra.config.kafka.port, 5000);
    expect(metadata.topics.find((t) => t.name === TOPIC)?.partitions).toBe(2);
  });
});

describe('safety with processes and ports we did not start', () => {
  let dataDir: string;
  let sleeper: ReturnType<typeof spawn> | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'simstream-infra-'));
  });

  afterAll(async () => {
    sleeper?.kill('SIGKILL');
    await createInfra({ env: { ...process.env, SIMSTREAM_DATA_DIR: dataDir }, log }).down();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('does not start on a port held by someone else, and says which', async () => {
    const foreign = createTcpServer((socket) => socket.end());
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const port = (foreign.address() as AddressInfo).port;
    try {
      const infra = createInfra({
        env: { ...process.env, SIMSTREAM_DATA_DIR: dataDir, SIMSTREAM_REDIS_PORT: String(port) },
        log,
      });
      const error = await infra.up(['redis']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartFailedError);
      const cause = (error as StartFailedError).failures[0]!.error;
      expect(cause).toBeInstanceOf(PortInUseError);
      expect((cause as PortInUseError).port).toBe(port);
      expect((cause as PortInUseError).holder).toContain(`pid ${process.pid}`);
      expect((await infra.status(['redis']))[0]!.state).toBe('foreign');
      expect(foreign.listening).toBe(true);
    } finally {
      await new Promise((resolve) => foreign.close(resolve));
    }
  });

  it('never signals a process whose pid file does not match it', async () => {
    const port = await freePort();
    const infra = createInfra({
      env: { ...process.env, SIMSTREAM_DATA_DIR: dataDir, SIMSTREAM_REDIS_PORT: String(port) },
      log,
    });
    await infra.up(['redis']);
    const pidFile = join(dataDir, 'redis', 'redis.pid');
    const original = await readFile(pidFile, 'utf8');
    const record = JSON.parse(original) as { pid: number; startTicks: number };

    sleeper = spawn('sleep', ['120'], { stdio: 'ignore' });
    const sleeperPid = sleeper.pid!;
    const stat = await readFile(`/proc/${sleeperPid}/stat`, 'utf8');
    const sleeperTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);

    // A recycled pid: the recorded start time no longer matches.
    await writeFile(pidFile, JSON.stringify({ ...record, pid: sleeperPid }));
    expect((await infra.stop('redis')).action).toBe('stale-pid-file');
    // Same start time, but the command line is not redis-server with our config.
    await writeFile(pidFile, JSON.stringify({ ...record, pid: sleeperPid, startTicks: sleeperTicks }));
    expect((await infra.stop('redis')).action).toBe('stale-pid-file');
    expect(sleeper.exitCode).toBeNull();
    expect(sleeper.signalCode).toBeNull();

    // With the true record, down stops our redis.
    await writeFile(pidFile, original);
    expect((await infra.stop('redis')).action).toBe('stopped');
    await expect(redisPing(port)).rejects.toThrow();
  });
});

describe('Kafka jar cache against a loopback Maven mirror', () => {
  let work: string;
  let realLibDir: string;
  let server: Server;
  let mirrorUrl: string;
  let mode: 'good' | 'corrupt' | 'down' = 'good';
  const requested: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'simstream-jars-'));
    // The shared infra cache (filled by the first describe's up) is the mirror's source of bytes.
    const shared = createInfra({ log });
    const cp = (await shared.kafkaToolCommand('x', [])).args;
    realLibDir = cp[cp.indexOf('-cp') + 1]!.replace(/\/\*$/, '');
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/maven2\//, '');
      requested.push(path);
      const parts = path.split('/');
      // Maven layout g/r/o/u/p/artifact/version/file.jar -> our flat cache name group.file.jar
      const cacheName = `${parts.slice(0, -3).join('.')}.${parts[parts.length - 1]}`;
      if (mode === 'down') return void res.writeHead(503).end();
      readFile(join(realLibDir, cacheName)).then(
        (bytes) => {
          if (mode === 'corrupt' && path.includes('kafka-clients')) bytes[bytes.length >> 1]! ^= 0xff;
          res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
        },
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mirrorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/maven2`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  const infraWith = (name: string, m2: string): Infra =>
    createInfra({
      env: {
        ...process.env,
        SIMSTREAM_CACHE_DIR: join(work, name, 'cache'),
        SIMSTREAM_DATA_DIR: join(work, name, 'data'),
        SIMSTREAM_M2_REPOSITORY: m2,
        SIMSTREAM_MAVEN_REPO: mirrorUrl,
      },
      log,
    });

  it('downloads every locked jar once, verifies it, and serves later runs from the cache', async () => {
    mode = 'good';
    requested.length = 0;
    const infra = infraWith('fresh', join(work, 'no-m2'));
    await infra.kafkaToolCommand('org.apache.kafka.tools.ProducerPerformance', []);
    const jars = requested.length;
    expect(jars).toBeGreaterThan(50);
    expect(
      requested.some((p) =>
        /^org\/apache\/kafka\/kafka_2\.13\/4\.2\.\d+\/kafka_2\.13-4\.2\.\d+\.jar$/.test(p),
      ),
    ).toBe(true);
    expect(requested.some((p) => /^org\/apache\/kafka\/kafka-tools\/4\.2\.\d+\//.test(p))).toBe(true);
    await infra.kafkaToolCommand('org.apache.kafka.tools.ProducerPerformance', []);
    expect(requested.length).toBe(jars);
  });

  it('reuses jars from a local Maven repository when their checksums match', async () => {
    const mavenPaths = [...new Set(requested)];
    const m2 = join(work, 'm2');
    for (const path of mavenPaths) {
      const parts = path.split('/');
      await mkdir(join(m2, ...parts.slice(0, -1)), { recursive: true });
      await symlink(
        join(realLibDir, `${parts.slice(0, -3).join('.')}.${parts[parts.length - 1]}`),
        join(m2, path),
      );
    }
    mode = 'down';
    requested.length = 0;
    await infraWith('from-m2', m2).kafkaToolCommand('org.apache.kafka.tools.ProducerPerformance', []);
    expect(requested).toEqual([]);
  });

  it('refuses a jar whose bytes differ from the lock list', async () => {
    mode = 'corrupt';
    const error = await infraWith('corrupt', join(work, 'no-m2'))
      .kafkaToolCommand('org.apache.kafka.tools.ProducerPerformance', [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as ChecksumMismatchError).artifact).toMatch(/^org\.apache\.kafka:kafka-clients:/);
  });
});
