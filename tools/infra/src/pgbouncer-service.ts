/**
 * PgBouncer from the Debian package, in transaction mode in front of our Postgres: the same
 * pooling the cluster puts between every service and Postgres, so the local stack and the tests
 * exercise it. PgBouncer refuses to run as root, so as root it runs as the `postgres` system
 * user (setpriv execs, so the recorded pid is PgBouncer's). Ready once a login through it
 * reaches Postgres.
 */
import { chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serviceDir, type InfraConfig } from './config.js';
import { ensurePackage, fileExists } from './debian-packages.js';
import { isPortOpen } from './ports.js';
import { parsePgbouncerVersion, renderPgbouncerIni, renderPgbouncerUserlist } from './pgbouncer-config.js';
import { newestPostgresVersion } from './postgres-config.js';
import { runChecked, runCommand } from './run-command.js';
import type { LaunchSpec, ProbeResult, ServiceDriver } from './service.js';

const PGBOUNCER = '/usr/sbin/pgbouncer';
const SYSTEM_USER = 'postgres';
/** The services' own default (DATABASE_STATEMENT_TIMEOUT 30s), enforced by the pooler here. */
const STATEMENT_TIMEOUT_MS = 30_000;

export class PgbouncerService implements ServiceDriver {
  readonly name = 'pgbouncer' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly dir: string;
  readonly logFile: string;
  // SIGINT: "safe shutdown", waits for transactions in flight to finish.
  readonly stopSignal = 'SIGINT' as const;
  readonly stopTimeoutMs = 15_000;
  // Postgres starts beside it: ready means a login through it reached Postgres.
  readonly readyTimeoutMs = 90_000;
  private readonly iniFile: string;
  private readonly authFile: string;

  constructor(
    private readonly config: InfraConfig,
    private readonly log: (line: string) => void,
  ) {
    this.address = `${config.host}:${config.pgbouncer.port}`;
    this.ports = [config.pgbouncer.port];
    this.dir = serviceDir(config, 'pgbouncer');
    this.logFile = join(this.dir, 'pgbouncer.log');
    this.iniFile = join(this.dir, 'pgbouncer.ini');
    this.authFile = join(this.dir, 'userlist.txt');
  }

  async ensureInstalled(): Promise<void> {
    await ensurePackage(
      { pkg: 'pgbouncer', present: () => fileExists(PGBOUNCER) },
      { isRoot: this.config.isRoot, env: this.config.childEnv, log: this.log },
    );
  }

  private async chownToOwner(path: string): Promise<void> {
    if (!this.config.isRoot) return;
    const entry = await runChecked('getent', ['passwd', SYSTEM_USER]);
    const [, , uid, gid] = entry.stdout.trim().split(':');
    await chown(path, Number(uid), Number(gid));
  }

  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const { host, postgres, pgbouncer } = this.config;
    await writeFile(
      this.iniFile,
      renderPgbouncerIni({
        host,
        port: pgbouncer.port,
        postgresPort: postgres.port,
        authFile: this.authFile,
        logFile: this.logFile,
        poolSize: pgbouncer.poolSize,
        maxClientConn: pgbouncer.maxClientConn,
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      }),
    );
    // The password PgBouncer checks clients against and logs in to Postgres with.
    await writeFile(this.authFile, renderPgbouncerUserlist(postgres.user, postgres.password), {
      mode: 0o600,
    });
    for (const path of [this.dir, this.iniFile, this.authFile]) await this.chownToOwner(path);
    await writeFile(this.logFile, '', { flag: 'a' });
    await this.chownToOwner(this.logFile);
  }

  launchSpec(): Promise<LaunchSpec> {
    const args = [PGBOUNCER, this.iniFile];
    const [command, argv] = this.config.isRoot
      ? ['setpriv', [`--reuid=${SYSTEM_USER}`, `--regid=${SYSTEM_USER}`, '--init-groups', '--', ...args]]
      : [PGBOUNCER, [this.iniFile]];
    return Promise.resolve({
      command,
      args: argv,
      env: this.config.childEnv,
      cwd: this.dir,
      outputFile: join(this.dir, 'stdout.log'),
      identity: { executable: 'pgbouncer', marker: this.iniFile },
    });
  }

  private async psql(): Promise<string> {
    const root = '/usr/lib/postgresql';
    const version = newestPostgresVersion(await readdir(root).catch(() => [] as string[]));
    const bundled = version === undefined ? undefined : join(root, version, 'bin', 'psql');
    return bundled !== undefined && (await fileExists(bundled)) ? bundled : 'psql';
  }

  async probe(timeoutMs: number): Promise<ProbeResult> {
    const { host, postgres: pg, pgbouncer } = this.config;
    if (!(await isPortOpen(host, pgbouncer.port, timeoutMs)))
      return { serverUp: false, ready: false, detail: `nothing listens on ${this.address}` };
    const result = await runCommand(
      await this.psql(),
      // prettier-ignore
      ['-X', '-q', '-A', '-t', '-h', host, '-p', String(pgbouncer.port), '-U', pg.user, '-d', pg.database,
        '-c', "select current_setting('statement_timeout')"],
      {
        env: {
          ...this.config.childEnv,
          PGPASSWORD: pg.password,
          PGCONNECT_TIMEOUT: String(Math.max(1, Math.ceil(timeoutMs / 1000))),
        },
        timeoutMs: timeoutMs + 2000,
      },
    );
    if (result.code !== 0) {
      const reason = result.stderr.trim().split('\n')[0] ?? '';
      // Listening but Postgres behind it not (yet) answering: up, not ready.
      return { serverUp: false, ready: false, detail: `login through pgbouncer failed: ${reason}` };
    }
    return {
      serverUp: true,
      ready: true,
      detail: `transaction pooling to ${host}:${pg.port}; statement_timeout ${result.stdout.trim()}`,
      version: await this.installedVersion(),
    };
  }

  bootstrap(): Promise<void> {
    return Promise.resolve();
  }

  async installedVersion(): Promise<string | undefined> {
    if (!(await fileExists(PGBOUNCER))) return undefined;
    const result = await runCommand(PGBOUNCER, ['--version']).catch(() => undefined);
    return result === undefined ? undefined : parsePgbouncerVersion(result.stdout);
  }
}
