/**
 * Apache Kafka in KRaft combined mode (each node is broker and controller), run with `java -cp`
 * from the locked release jars: the single local broker, or one node of the local cluster.
 * Storage is formatted on first start with a cluster id kept in the data dir (shared by the
 * nodes of a cluster); readiness is a Metadata answer from this node that lists this node, and
 * the probe's detail names the finalized transaction and metadata versions.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { InfraConfig, UnitName } from './config.js';
import { ensurePackage, fileExists } from './debian-packages.js';
import { ensureArtifacts } from './kafka-artifacts.js';
import {
  kafkaJvmArgs,
  log4j2Property,
  newClusterId,
  renderLog4j2Config,
  renderServerProperties,
  renderToolsLog4j2Config,
} from './kafka-config.js';
import type { KafkaNodeSpec } from './kafka-nodes.js';
import { describeFeatures, fetchFinalizedFeatures } from './kafka-features.js';
import { fetchMetadata } from './kafka-protocol.js';
import { parseLockList, type LockList } from './lock-list.js';
import { KAFKA_LOCK_FILE } from './paths.js';
import { runChecked, runCommand } from './run-command.js';
import type { LaunchSpec, ProbeResult, ServiceDriver } from './service.js';

export class KafkaService implements ServiceDriver {
  readonly name: UnitName;
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
    private readonly node: KafkaNodeSpec,
    private readonly log: (line: string) => void,
  ) {
    this.name = node.name;
    this.address = `${config.host}:${node.port}`;
    this.ports = [node.port, node.controllerPort];
    this.dir = node.dir;
    this.logFile = join(this.dir, 'logs', 'server.log');
    this.propsFile = join(this.dir, 'server.properties');
    this.log4jFile = join(this.dir, 'log4j2.xml');
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
    const log4j = join(await this.libDir(), '..', 'tools-log4j2.xml');
    const text = renderToolsLog4j2Config();
    // Several benchmark processes may ask at once: rewrite only when different, via rename.
    if ((await readFile(log4j, 'utf8').catch(() => '')) !== text) {
      await writeFile(`${log4j}.${process.pid}`, text);
      await rename(`${log4j}.${process.pid}`, log4j);
    }
    return {
      command: this.config.java,
      args: [...heapOpts, log4j2Property(log4j), '-cp', await this.classpath(), mainClass, ...args],
    };
  }

  async prepare(): Promise<void> {
    await mkdir(this.log4jDir, { recursive: true });
    await mkdir(this.kraftDir, { recursive: true });
    await writeFile(
      this.propsFile,
      renderServerProperties({
        host: this.config.host,
        port: this.node.port,
        controllerPort: this.node.controllerPort,
        nodeId: this.node.nodeId,
        logDirs: this.kraftDir,
        voters: this.node.voters,
        replicationFactor: this.node.replicationFactor,
        minInsyncReplicas: this.node.minInsyncReplicas,
      }),
    );
    await writeFile(this.log4jFile, renderLog4j2Config(this.log4jDir));
    if (await fileExists(join(this.kraftDir, 'meta.properties'))) return;

    const clusterId = await this.clusterId();
    this.log(`${this.name}: formatting storage in ${this.kraftDir} (cluster id ${clusterId})`);
    await runChecked(
      this.config.java,
      [
        '-Xmx256m',
        log4j2Property(this.log4jFile),
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

  /**
   * The cluster id from its file, created on first use. The nodes of a cluster prepare in
   * parallel: the id is written to a private file and hard-linked into place, which fails for
   * all but the first node, so every node reads one complete id.
   */
  private async clusterId(): Promise<string> {
    const file = this.node.clusterIdFile;
    const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (existing !== '') return existing;
    await mkdir(dirname(file), { recursive: true });
    const draft = `${file}.${this.node.nodeId}.${process.pid}`;
    await writeFile(draft, newClusterId(randomBytes) + '\n');
    try {
      await link(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(draft, { force: true });
    }
    return (await readFile(file, 'utf8')).trim();
  }

  async launchSpec(): Promise<LaunchSpec> {
    return {
      command: this.config.java,
      args: [
        ...kafkaJvmArgs(this.node.heapOpts, this.log4jFile, this.log4jDir, await this.classpath()),
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
      const meta = await fetchMetadata(this.config.host, this.node.port, timeoutMs);
      const self = meta.brokers.find((b) => b.nodeId === this.node.nodeId);
      // What the cluster runs, beyond the jars: readiness does not depend on it.
      const features = await fetchFinalizedFeatures(this.config.host, this.node.port, timeoutMs).then(
        (f) => `; ${describeFeatures(f)}`,
        () => '',
      );
      const detail = `metadata: ${meta.brokers.length} broker(s), controller ${meta.controllerId}, ${meta.topics.length} topic(s)${features}`;
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
