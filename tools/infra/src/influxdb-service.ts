/**
 * InfluxDB 1.x from the Debian package (influxdb), HTTP API on loopback, with the `simstream`
 * database created on first start. Readiness is /ping answering 204 and the database existing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serviceDir, type InfraConfig } from './config.js';
import { ensurePackage, fileExists } from './debian-packages.js';
import { CommandFailedError } from './errors.js';
import { influxQueryError, renderInfluxConf, showDatabasesLists } from './influxdb-config.js';
import { runCommand } from './run-command.js';
import type { LaunchSpec, ProbeResult, ServiceDriver } from './service.js';

const INFLUXD = '/usr/bin/influxd';

export class InfluxdbService implements ServiceDriver {
  readonly name = 'influxdb' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly dir: string;
  readonly logFile: string;
  readonly stopSignal = 'SIGTERM' as const;
  readonly stopTimeoutMs = 20_000;
  readonly readyTimeoutMs = 60_000;
  private readonly confFile: string;
  private readonly baseUrl: string;

  constructor(
    private readonly config: InfraConfig,
    private readonly log: (line: string) => void,
  ) {
    this.address = `${config.host}:${config.influxdb.port}`;
    this.ports = [config.influxdb.port, config.influxdb.rpcPort];
    this.dir = serviceDir(config, 'influxdb');
    this.logFile = join(this.dir, 'influxdb.log');
    this.confFile = join(this.dir, 'influxdb.conf');
    this.baseUrl = `http://${this.address}`;
  }

  async ensureInstalled(): Promise<void> {
    await ensurePackage(
      { pkg: 'influxdb', present: () => fileExists(INFLUXD) },
      { isRoot: this.config.isRoot, env: this.config.childEnv, log: this.log },
    );
  }

  async prepare(): Promise<void> {
    const [metaDir, dataDir, walDir] = ['meta', 'data', 'wal'].map((d) => join(this.dir, d)) as [
      string,
      string,
      string,
    ];
    for (const d of [metaDir, dataDir, walDir]) await mkdir(d, { recursive: true });
    await writeFile(
      this.confFile,
      renderInfluxConf({
        host: this.config.host,
        port: this.config.influxdb.port,
        rpcPort: this.config.influxdb.rpcPort,
        metaDir,
        dataDir,
        walDir,
      }),
    );
  }

  launchSpec(): Promise<LaunchSpec> {
    return Promise.resolve({
      command: INFLUXD,
      args: ['run', '-config', this.confFile],
      env: this.config.childEnv,
      cwd: this.dir,
      outputFile: this.logFile,
      identity: { executable: 'influxd', marker: this.confFile },
    });
  }

  async probe(timeoutMs: number): Promise<ProbeResult> {
    const signal = AbortSignal.timeout(timeoutMs);
    let version: string | undefined;
    try {
      const ping = await fetch(`${this.baseUrl}/ping`, { signal });
      await ping.arrayBuffer();
      version = ping.headers.get('x-influxdb-version') ?? undefined;
      if (ping.status !== 204)
        return { serverUp: false, ready: false, detail: `/ping answered ${ping.status}` };
    } catch (error) {
      return { serverUp: false, ready: false, detail: `/ping failed: ${(error as Error).message}` };
    }
    const withVersion = version === undefined ? {} : { version };
    try {
      const show = await fetch(`${this.baseUrl}/query?q=${encodeURIComponent('SHOW DATABASES')}`, { signal });
      const exists = show.ok && showDatabasesLists(await show.json(), this.config.influxdb.database);
      return {
        serverUp: true,
        ready: exists,
        detail: exists
          ? `/ping 204; database ${this.config.influxdb.database} exists`
          : `database ${this.config.influxdb.database} missing`,
        ...withVersion,
      };
    } catch (error) {
      return {
        serverUp: true,
        ready: false,
        detail: `SHOW DATABASES failed: ${(error as Error).message}`,
        ...withVersion,
      };
    }
  }

  async bootstrap(): Promise<void> {
    const db = this.config.influxdb.database;
    const response = await fetch(`${this.baseUrl}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let problem: string | undefined;
    try {
      problem = influxQueryError(JSON.parse(text));
    } catch {
      problem = `not JSON: ${text.slice(0, 200)}`;
    }
    if (!response.ok || problem !== undefined)
      throw new CommandFailedError(`influxdb: CREATE DATABASE ${db}`, response.status, problem ?? text);
  }

  async installedVersion(): Promise<string | undefined> {
    const result = await runCommand(INFLUXD, ['version']).catch(() => undefined);
    return result === undefined ? undefined : /InfluxDB v(\S+)/.exec(result.stdout)?.[1];
  }
}
