/**
 * The orchestrator: brings services up in parallel (idempotently, with real readiness probes),
 * stops only the processes it started, reports status, and wipes data on reset. Each service's
 * specifics live in its driver; this file only sequences them. `kafka` is one process (the
 * single broker) or three (`kafka-1` … `kafka-3`, SIMSTREAM_KAFKA_BROKERS=3), each its own unit.
 */
import { ensureCertificates } from './certs.js';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '@simstream/errors';
import { ConfigError } from '@simstream/errors';
import { endpointsOf, SERVICE_NAMES, type Endpoints, type InfraConfig, type UnitName } from './config.js';
import { fileExists } from './debian-packages.js';
import { NotReadyError, PortInUseError } from './errors.js';
import { withFileLock } from './file-lock.js';
import { InfluxdbService } from './influxdb-service.js';
import { clusterKafkaNodes, singleKafkaNode } from './kafka-nodes.js';
import { KafkaService } from './kafka-service.js';
import { describeListener, isPortOpen } from './ports.js';
import { PgbouncerService } from './pgbouncer-service.js';
import { PostgresService } from './postgres-service.js';
import {
  checkOwnership,
  isAlive,
  memoryOf,
  readPidFile,
  readProcStat,
  removePidFile,
  sendSignal,
  sleep,
  spawnDetached,
  terminate,
  waitForExit,
  writePidFile,
} from './process-control.js';
import { RedisService } from './redis-service.js';
import {
  StartFailedError,
  type DownResult,
  type ServiceStatus,
  type UpOptions,
  type UpResult,
} from './results.js';
import type { ServiceDriver } from './service.js';

export class Infra {
  private readonly drivers: ReadonlyMap<UnitName, ServiceDriver>;
  private readonly kafka: KafkaService;
  private readonly kafkaCluster: readonly KafkaService[];

  constructor(
    readonly config: InfraConfig,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`[infra] ${line}\n`),
  ) {
    this.kafka = new KafkaService(config, singleKafkaNode(config), log);
    this.kafkaCluster = clusterKafkaNodes(config).map((node) => new KafkaService(config, node, log));
    const drivers: ServiceDriver[] = [
      this.kafka,
      ...this.kafkaCluster,
      new PostgresService(config, log),
      new RedisService(config, log),
      new InfluxdbService(config, log),
      new PgbouncerService(config, log),
    ];
    this.drivers = new Map(drivers.map((d) => [d.name, d]));
  }

  /**
   * The processes that names stand for: `kafka` is the configured broker(s), `kafka-N` one
   * cluster node. With `alsoRunning` and the single broker configured, `kafka` adds cluster
   * nodes that have a pid file, so plain `down` and `status` see a cluster left running. Never
   * the other way round: with the cluster configured, the single broker (shared, often) is not
   * touched.
   */
  private async units(names: readonly UnitName[], alsoRunning = false): Promise<ServiceDriver[]> {
    const out: ServiceDriver[] = [];
    for (const name of names) {
      if (name !== 'kafka') {
        const driver = this.drivers.get(name);
        if (driver === undefined) throw new ConfigError([`unknown service "${name}"`]);
        out.push(driver);
        continue;
      }
      const clustered = this.config.kafka.brokers > 1;
      out.push(...(clustered ? this.kafkaCluster : [this.kafka]));
      if (alsoRunning && !clustered) {
        for (const node of this.kafkaCluster) if (await fileExists(this.pidPath(node))) out.push(node);
      }
    }
    return [...new Set(out)];
  }

  endpoints(): Endpoints {
    return endpointsOf(this.config);
  }

  /**
   * A `java` command line running a Kafka tool class with the broker's locked jars (downloaded
   * if needed), e.g. org.apache.kafka.tools.ProducerPerformance or TopicCommand.
   */
  kafkaToolCommand(
    mainClass: string,
    args: readonly string[],
    heapOpts?: readonly string[],
  ): Promise<{ command: string; args: string[] }> {
    return this.kafka.toolCommand(mainClass, args, heapOpts);
  }

  /** Starts the services (all by default) in parallel; resolves when every one is ready. */
  async up(services: readonly UnitName[] = SERVICE_NAMES, options: UpOptions = {}): Promise<UpResult[]> {
    await mkdir(this.config.dataDir, { recursive: true });
    // The stack's CA and service certificates: TLS is on for the demo and every test.
    const issued = await ensureCertificates(this.config.dataDir);
    if (issued.length > 0) this.log(`tls: issued certificates for ${issued.join(', ')}`);
    const drivers = await this.units(services);
    const settled = await Promise.allSettled(drivers.map((driver) => this.upOne(driver, options)));
    const started: UpResult[] = [];
    const failures: { service: UnitName; error: unknown }[] = [];
    settled.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') started.push(outcome.value);
      else failures.push({ service: drivers[i]!.name, error: outcome.reason });
    });
    if (failures.length > 0) throw new StartFailedError(failures, started);
    return started;
  }

  /** Stops the services we started (all by default); never signals a process that is not ours. */
  async down(services: readonly UnitName[] = SERVICE_NAMES): Promise<DownResult[]> {
    return Promise.all((await this.units(services, true)).map((driver) => this.downOne(driver)));
  }

  /** Starts one process: a service, or one Kafka cluster node (`kafka-2`). */
  async start(unit: UnitName, options: UpOptions = {}): Promise<UpResult> {
    return (await this.up([this.single(unit)], options))[0]!;
  }

  async stop(unit: UnitName): Promise<DownResult> {
    return this.downOne(this.drivers.get(this.single(unit))!);
  }

  /** SIGKILLs the process's whole group, as a crash would; data stays as the crash left it. */
  async kill9(unit: UnitName): Promise<DownResult> {
    const service = this.single(unit);
    const driver = this.drivers.get(service)!;
    return withFileLock(this.lockPath(driver), service, 60_000, async () => {
      const record = await readPidFile(this.pidPath(driver));
      if (record === undefined) return { name: service, action: 'not-running', detail: 'no pid file' };
      const ownership = await checkOwnership(record);
      await removePidFile(this.pidPath(driver));
      if (!ownership.owned) return { name: service, action: 'stale-pid-file', detail: ownership.reason };
      // We started it with its own session, so its pid is also its process group.
      if (!sendSignal(-record.pid, 'SIGKILL')) sendSignal(record.pid, 'SIGKILL');
      await waitForExit(record.pid, 10_000);
      return { name: service, action: 'killed', detail: `SIGKILL to process group ${record.pid}` };
    });
  }

  /** Stops the services and deletes their data folders (logs included); only the configured Kafka. */
  async reset(services: readonly UnitName[] = SERVICE_NAMES): Promise<DownResult[]> {
    const drivers = await this.units(services);
    const results = await Promise.all(drivers.map((driver) => this.downOne(driver)));
    for (const driver of drivers) await rm(driver.dir, { recursive: true, force: true });
    // The cluster id goes with the last node's data: a reformatted node must not rejoin the old id.
    if (this.kafkaCluster.every((node) => drivers.includes(node)))
      await rm(this.config.kafkaCluster.dir, { recursive: true, force: true });
    return results;
  }

  async status(services: readonly UnitName[] = SERVICE_NAMES): Promise<ServiceStatus[]> {
    return Promise.all((await this.units(services, true)).map((driver) => this.statusOne(driver)));
  }

  /** `kafka` in cluster mode is three processes: single-process operations need `kafka-N`. */
  private single(unit: UnitName): UnitName {
    if (unit === 'kafka' && this.config.kafka.brokers > 1)
      throw new ConfigError([
        `"kafka" is ${this.kafkaCluster.length} processes here (SIMSTREAM_KAFKA_BROKERS=${this.config.kafka.brokers}); name one of ${this.kafkaCluster.map((d) => d.name).join(', ')}`,
      ]);
    if (!this.drivers.has(unit)) throw new ConfigError([`unknown service "${unit}"`]);
    return unit;
  }

  private pidPath(driver: ServiceDriver): string {
    return join(driver.dir, `${driver.name}.pid`);
  }

  private lockPath(driver: ServiceDriver): string {
    return join(driver.dir, '.infra.lock');
  }

  private async upOne(driver: ServiceDriver, options: UpOptions): Promise<UpResult> {
    const t0 = Date.now();
    const timeoutMs = options.readyTimeoutMs ?? driver.readyTimeoutMs;
    await mkdir(driver.dir, { recursive: true });
    // A cold Kafka start downloads jars while holding the lock: wait long for another holder.
    return withFileLock(this.lockPath(driver), driver.name, 600_000, async () => {
      const record = await readPidFile(this.pidPath(driver));
      if (record !== undefined) {
        const ownership = await checkOwnership(record);
        if (ownership.owned) {
          const detail = await this.waitReady(driver, record.pid, timeoutMs, t0);
          return {
            name: driver.name,
            action: 'already-running',
            pid: record.pid,
            readyMs: Date.now() - t0,
            detail,
          };
        }
        await removePidFile(this.pidPath(driver));
      }
      for (const port of driver.ports) {
        if (await isPortOpen(this.config.host, port))
          throw new PortInUseError(driver.name, port, await describeListener(port));
      }
      await driver.ensureInstalled();
      await driver.prepare();
      const spec = await driver.launchSpec();
      await appendFile(
        spec.outputFile,
        `\n=== started by simstream infra at ${new Date().toISOString()} ===\n`,
      );
      const pid = spawnDetached({
        command: spec.command,
        args: spec.args,
        logFile: spec.outputFile,
        cwd: spec.cwd,
        env: spec.env,
      });
      const stat = await readProcStat(pid);
      if (stat === undefined)
        throw new NotReadyError(
          driver.name,
          `${spec.command} exited at once`,
          await this.logTail(driver, spec.outputFile),
        );
      await writePidFile(this.pidPath(driver), {
        pid,
        startTicks: stat.startTicks,
        identity: spec.identity,
        startedAt: new Date().toISOString(),
      });
      try {
        // The readiness budget starts at spawn: a slow download or initdb must not eat into it.
        const detail = await this.waitReady(driver, pid, timeoutMs, Date.now(), spec.outputFile);
        this.log(
          `${driver.name}: ready on ${driver.address} (pid ${pid}) after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
        return { name: driver.name, action: 'started', pid, readyMs: Date.now() - t0, detail };
      } catch (error) {
        // A half-started process would block the port for the next attempt: stop it.
        await terminate(pid, driver.stopSignal, driver.stopTimeoutMs);
        await removePidFile(this.pidPath(driver));
        throw error;
      }
    });
  }

  /** Polls the probe until ready, bootstrapping (create database) once the server is up. */
  private async waitReady(
    driver: ServiceDriver,
    pid: number,
    timeoutMs: number,
    t0: number,
    outputFile?: string,
  ): Promise<string> {
    const deadline = t0 + timeoutMs;
    let last = 'not probed yet';
    for (;;) {
      const probe = await driver.probe(2000);
      if (probe.ready) return probe.detail;
      last = probe.detail;
      if (probe.serverUp) {
        try {
          await driver.bootstrap();
        } catch (error) {
          last = messageOf(error);
        }
        const again = await driver.probe(2000);
        if (again.ready) return again.detail;
        last = again.detail;
      }
      if (!(await isAlive(pid))) {
        throw new NotReadyError(
          driver.name,
          `process ${pid} exited before it was ready (${last})`,
          await this.logTail(driver, outputFile),
        );
      }
      if (Date.now() > deadline) {
        throw new NotReadyError(
          driver.name,
          `not ready within ${timeoutMs / 1000} s: ${last}`,
          await this.logTail(driver, outputFile),
        );
      }
      await sleep(driver.name.startsWith('kafka') ? 500 : 200);
    }
  }

  private async downOne(driver: ServiceDriver): Promise<DownResult> {
    if (!(await fileExists(driver.dir)))
      return { name: driver.name, action: 'not-running', detail: 'no data dir' };
    return withFileLock(this.lockPath(driver), driver.name, 120_000, async () => {
      const record = await readPidFile(this.pidPath(driver));
      if (record === undefined) return { name: driver.name, action: 'not-running', detail: 'no pid file' };
      const ownership = await checkOwnership(record);
      if (!ownership.owned) {
        await removePidFile(this.pidPath(driver));
        return {
          name: driver.name,
          action: 'stale-pid-file',
          detail: `${ownership.reason}; nothing signalled`,
        };
      }
      const outcome = await terminate(record.pid, driver.stopSignal, driver.stopTimeoutMs);
      await removePidFile(this.pidPath(driver));
      const how =
        outcome === 'exited'
          ? `${driver.stopSignal}`
          : `${driver.stopSignal}, then SIGKILL after ${driver.stopTimeoutMs / 1000} s`;
      return {
        name: driver.name,
        action: outcome === 'exited' ? 'stopped' : 'killed',
        detail: `pid ${record.pid} (${how})`,
      };
    });
  }

  private async statusOne(driver: ServiceDriver): Promise<ServiceStatus> {
    const base = { name: driver.name, address: driver.address, dataDir: driver.dir };
    const record = await readPidFile(this.pidPath(driver));
    const owned = record !== undefined && (await checkOwnership(record)).owned;
    if (record !== undefined && owned) {
      const [probe, memory] = await Promise.all([driver.probe(2000), memoryOf(record.pid)]);
      return {
        ...base,
        state: 'running',
        pid: record.pid,
        ready: probe.ready,
        detail: probe.detail,
        version: probe.version ?? (await driver.installedVersion()) ?? null,
        rssKiB: memory?.rssKiB ?? null,
        treePssKiB: memory?.treePssKiB ?? null,
      };
    }
    const version = (await driver.installedVersion().catch(() => undefined)) ?? null;
    for (const port of driver.ports) {
      if (await isPortOpen(this.config.host, port)) {
        const holder = await describeListener(port);
        return {
          ...base,
          state: 'foreign',
          pid: null,
          ready: false,
          detail: `port ${port} held by ${holder ?? 'a process we did not start'}`,
          version,
          rssKiB: null,
          treePssKiB: null,
        };
      }
    }
    return {
      ...base,
      state: 'stopped',
      pid: null,
      ready: false,
      detail: record === undefined ? 'not running' : 'not running (stale pid file)',
      version,
      rssKiB: null,
      treePssKiB: null,
    };
  }

  private async logTail(driver: ServiceDriver, outputFile?: string): Promise<string> {
    const files = [...new Set([driver.logFile, ...(outputFile === undefined ? [] : [outputFile])])];
    const parts: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8').catch(() => '');
      const lines = text.trimEnd().split('\n').slice(-15);
      if (text.trim() !== '') parts.push(`${file}:\n${lines.join('\n')}`);
    }
    return parts.join('\n');
  }
}
