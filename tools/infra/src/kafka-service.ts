/**
 * Apache Kafka in KRaft combined mode (one node is broker and controller), run with `java -cp`
 * from the locked release jars. Storage is formatted on first start with a cluster id kept in
 * the data dir; readiness is a Metadata answer that lists our broker.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serviceDir, type InfraConfig } from './config.js';
import { ensurePackage, fileExists } from './debian-packages.js';
import { ensureArtifacts } from './kafka-artifacts.js';
import {
  kafkaJvmArgs,
  newClusterId,
  renderLog4jProperties,
  renderServerProperties,
  renderToolsLog4jProperties,
} from './kafka-config.js';
import { fetchMetadata } from './kafka-protocol.js';
import { parseLockList, type LockList } from './lock-list.js';
import { KAFKA_LOCK_FILE } from './paths.js';
import { runChecked, runCommand } from './run-command.js';
import type { LaunchSpec, ProbeResult, ServiceDriver } from './service.js';

const NODE_ID = 1;

export class KafkaService implements ServiceDriver {
  readonly name = 'kafka' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly dir: string;
  readonly logFile: string;
  readonly stopSignal = 'SIGTERM' as const;
  readonly stopTimeoutMs = 30_000;
  readonly readyTimeoutMs = 120_000;
  private readonly propsFile: string;
  private readonly log4jFile: string;
  private readonly log4jDir: string;
  private readonly kraftDir: string;
  private lock: LockList | undefined;

  constructor(
    private readonly config: InfraConfig,
    private readonly log: (line: string) => void,
  ) {
    this.address = `${config.host}:${config.kafka.port}`;
    this.ports = [config.kafka.port, config.kafka.controllerPort];
    this.dir = serviceDir(config, 'kafka');
    this.logFile = join(this.dir, 'logs', 'server.log');
    this.propsFile = join(this.dir, 'server.properties');
    this.log4jFile = join(this.dir, 'log4j.properties');
    this.log4jDir = join(this.dir, 'logs');
    this.kraftDir = join(this.dir, 'kraft');
  }

  /** The committed lock list (read once). */
  async lockList(): Promise<LockList> {
    this.lock ??= parseLockList(await readFile(KAFKA_LOCK_FILE, 'utf8'));
    return this.lock;
  }

  /** Folder holding exactly the locked jars, shared by every clone of this user. */
  async libDir(): Promise<string> {
    return join(this.config.cacheDir, 'kafka', (await this.lockList()).kafkaVersion, 'libs');
  }

  /** `-cp` value: the jar folder as a wildcard, like the distribution's lib/. */
  async classpath(): Promise<string> {
    return `${await this.libDir()}/*`;
  }

  async ensureInstalled(): Promise<void> {
    await ensurePackage(
      {
        pkg: 'openjdk-17-jre-headless',
        present: async () =>
          (await runCommand(this.config.java, ['-version']).catch(() => undefined))?.code === 0,
      },
      { isRoot: this.config.isRoot, env: this.config.childEnv, log: this.log },
    );
    await ensureArtifacts(await this.lockList(), {
      libDir: await this.libDir(),
      mavenRepoUrl: this.config.mavenRepoUrl,
      m2Repository: this.config.m2Repository,
      log: this.log,
    });
  }

  /**
   * A `java` command that runs a Kafka tool class with the locked jars (fetched if needed), e.g.
   * org.apache.kafka.tools.ProducerPerformance for benchmarks or TopicCommand.
   */
  async toolCommand(
    mainClass: string,
    args: readonly string[],
    heapOpts: readonly string[] = ['-Xmx512m'],
  ): Promise<{ command: string; args: string[] }> {
    await this.ensureInstalled();
    const log4j = join(await this.libDir(), '..', 'tools-log4j.properties');
    const text = renderToolsLog4jProperties();
    // Several benchmark processes may ask at once: rewrite only when different, via rename.
    if ((await readFile(log4j, 'utf8').catch(() => '')) !== text) {
      await writeFile(`${log4j}.${process.pid}`, text);
      await rename(`${log4j}.${process.pid}`, log4j);
    }
    return {
      command: this.config.java,
      args: [
        ...heapOpts,
        `-Dlog4j.configuration=file:${log4j}`,
        '-cp',
        await this.classpath(),
        mainClass,
        ...args,
      ],
    };
  }

  async prepare(): Promise<void> {
    await mkdir(this.log4jDir, { recursive: true });
    await mkdir(this.kraftDir, { recursive: true });
    await writeFile(
      this.propsFile,
      renderServerProperties({
        host: this.config.host,
        port: this.config.kafka.port,
        controllerPort: this.config.kafka.controllerPort,
        nodeId: NODE_ID,
        logDirs: this.kraftDir,
      }),
    );
    await writeFile(this.log4jFile, renderLog4jProperties(this.log4jDir));
    if (await fileExists(join(this.kraftDir, 'meta.properties'))) return;

    const clusterIdFile = join(this.dir, 'cluster-id');
    let clusterId = (await readFile(clusterIdFile, 'utf8').catch(() => '')).trim();
    if (clusterId === '') {
      clusterId = newClusterId(randomBytes);
      await writeFile(clusterIdFile, clusterId + '\n');
    }
    this.log(`kafka: formatting storage in ${this.kraftDir} (cluster id ${clusterId})`);
    await runChecked(
      this.config.java,
      [
        '-Xmx256m',
        `-Dlog4j.configuration=file:${this.log4jFile}`,
        `-Dkafka.logs.dir=${this.log4jDir}`,
        '-cp',
        await this.classpath(),
        'kafka.tools.StorageTool',
        'format',
        '--cluster-id',
        clusterId,
        '--config',
        this.propsFile,
        '--ignore-formatted',
      ],
      { env: this.config.childEnv, cwd: this.dir },
    );
  }

  async launchSpec(): Promise<LaunchSpec> {
    return {
      command: this.config.java,
      args: [
        ...kafkaJvmArgs(this.config.kafka.heapOpts, this.log4jFile, this.log4jDir, await this.classpath()),
        'kafka.Kafka',
        this.propsFile,
      ],
      env: this.config.childEnv,
      cwd: this.dir,
      outputFile: join(this.log4jDir, 'stdout.log'),
      identity: { executable: 'java', marker: this.propsFile },
    };
  }

  async probe(timeoutMs: number): Promise<ProbeResult> {
    const version = (await this.lockList()).kafkaVersion;
    try {
      const meta = await fetchMetadata(this.config.host, this.config.kafka.port, timeoutMs);
      const self = meta.brokers.find((b) => b.nodeId === NODE_ID);
      const detail = `metadata: ${meta.brokers.length} broker(s), controller ${meta.controllerId}, ${meta.topics.length} topic(s)`;
      return { serverUp: true, ready: self !== undefined, detail, version };
    } catch (error) {
      return {
        serverUp: false,
        ready: false,
        detail: `metadata request failed: ${(error as Error).message}`,
        version,
      };
    }
  }

  async bootstrap(): Promise<void> {
    // Topics are created by the application; nothing to create here.
  }

  async installedVersion(): Promise<string | undefined> {
    return (await this.lockList()).kafkaVersion;
  }
}
