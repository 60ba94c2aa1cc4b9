/**
 * Postgres from the Debian package, with its own cluster in our data dir. Postgres refuses to
 * run as root, so when we are root the cluster belongs to the `postgres` system user and every
 * server command runs through setpriv (which execs, so the pid we record is the postmaster's).
 */
import { appendFile, chown, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serviceDir, type InfraConfig } from './config.js';
import { ensurePackage, fileExists } from './debian-packages.js';
import { CommandFailedError } from './errors.js';
import {
  newestPostgresVersion,
  parsePostgresVersion,
  POSTGRES_INCLUDE_LINE,
  renderPgHba,
  renderPostgresConf,
  socketDirFits,
} from './postgres-config.js';
import { runChecked, runCommand } from './run-command.js';
import type { LaunchSpec, ProbeResult, ServiceDriver } from './service.js';

const PG_ROOT = '/usr/lib/postgresql';
const SYSTEM_USER = 'postgres';

export class PostgresService implements ServiceDriver {
  readonly name = 'postgres' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly dir: string;
  readonly logFile: string;
  // SIGINT is Postgres's "fast" shutdown; SIGTERM ("smart") would wait for every client to leave.
  readonly stopSignal = 'SIGINT' as const;
  readonly stopTimeoutMs = 30_000;
  readonly readyTimeoutMs = 60_000;
  private readonly pgdata: string;
  private binDir: string | undefined;

  constructor(
    private readonly config: InfraConfig,
    private readonly log: (line: string) => void,
  ) {
    this.address = `${config.host}:${config.postgres.port}`;
    this.ports = [config.postgres.port];
    this.dir = serviceDir(config, 'postgres');
    this.logFile = join(this.dir, 'postgres.log');
    this.pgdata = join(this.dir, 'pgdata');
  }

  private async findBinDir(): Promise<string | undefined> {
    if (this.binDir !== undefined) return this.binDir;
    const entries = await readdir(PG_ROOT).catch(() => [] as string[]);
    const usable: string[] = [];
    for (const entry of entries)
      if (await fileExists(join(PG_ROOT, entry, 'bin', 'postgres'))) usable.push(entry);
    const version = newestPostgresVersion(usable);
    this.binDir = version === undefined ? undefined : join(PG_ROOT, version, 'bin');
    return this.binDir;
  }

  private async bin(name: string): Promise<string> {
    const dir = await this.findBinDir();
    if (dir === undefined) throw new Error('postgres binaries not found');
    return join(dir, name);
  }

  /** Command prefix that drops to the postgres system user when we are root. */
  private asOwner(command: string, args: readonly string[]): [string, string[]] {
    if (!this.config.isRoot) return [command, [...args]];
    return [
      'setpriv',
      [`--reuid=${SYSTEM_USER}`, `--regid=${SYSTEM_USER}`, '--init-groups', '--', command, ...args],
    ];
  }

  private async chownToOwner(path: string): Promise<void> {
    if (!this.config.isRoot) return;
    const entry = await runChecked('getent', ['passwd', SYSTEM_USER]);
    const [, , uid, gid] = entry.stdout.trim().split(':');
    await chown(path, Number(uid), Number(gid));
  }

  async ensureInstalled(): Promise<void> {
    await ensurePackage(
      { pkg: 'postgresql', present: async () => (await this.findBinDir()) !== undefined },
      { isRoot: this.config.isRoot, env: this.config.childEnv, log: this.log },
    );
    if (this.config.isRoot && (await runCommand('getent', ['passwd', SYSTEM_USER])).code !== 0) {
      throw new CommandFailedError(
        `getent passwd ${SYSTEM_USER}`,
        2,
        'the postgres system user (created by the Debian package) is missing',
      );
    }
  }

  async prepare(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if (this.config.isRoot) {
      // The server runs as `postgres`: every folder above its data must be searchable by it.
      const [cmd, args] = this.asOwner('test', ['-x', this.dir]);
      if ((await runCommand(cmd, args)).code !== 0) {
        throw new CommandFailedError(
          `${cmd} ${args.join(' ')}`,
          1,
          `the ${SYSTEM_USER} system user cannot reach ${this.dir}; ` +
            'set SIMSTREAM_DATA_DIR to a folder whose parents are world-searchable (chmod o+x)',
        );
      }
    }
    if (!(await fileExists(join(this.pgdata, 'PG_VERSION')))) await this.initdb();
    const socketDir = socketDirFits(this.pgdata, this.config.postgres.port) ? this.pgdata : undefined;
    const conf = join(this.pgdata, 'simstream.conf');
    const hba = join(this.pgdata, 'pg_hba.conf');
    await writeFile(
      conf,
      renderPostgresConf({ host: this.config.host, port: this.config.postgres.port, socketDir }),
    );
    await writeFile(hba, renderPgHba(this.config.host));
    await this.chownToOwner(conf);
    await this.chownToOwner(hba);
    const main = join(this.pgdata, 'postgresql.conf');
    if (!(await readFile(main, 'utf8')).includes(POSTGRES_INCLUDE_LINE))
      await appendFile(main, `\n${POSTGRES_INCLUDE_LINE}\n`);
  }

  private async initdb(): Promise<void> {
    this.log(`postgres: initdb in ${this.pgdata}`);
    // A half-initialised folder from an interrupted initdb has no PG_VERSION; start it afresh.
    await rm(this.pgdata, { recursive: true, force: true });
    await mkdir(this.pgdata, { mode: 0o700 });
    await this.chownToOwner(this.pgdata);
    // The password file must be readable by the server's user and never left behind.
    const pwfile = join(this.dir, '.initdb-pw');
    await writeFile(pwfile, `${this.config.postgres.password}\n`, { mode: 0o600 });
    await this.chownToOwner(pwfile);
    try {
      const [cmd, args] = this.asOwner(await this.bin('initdb'), [
        `--pgdata=${this.pgdata}`,
        `--username=${this.config.postgres.user}`,
        `--pwfile=${pwfile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ]);
      await runChecked(cmd, args, { env: { ...this.config.childEnv, LC_ALL: 'C' }, cwd: this.dir });
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  async launchSpec(): Promise<LaunchSpec> {
    const postgres = await this.bin('postgres');
    const [command, args] = this.asOwner(postgres, ['-D', this.pgdata]);
    return {
      command,
      args,
      env: { ...this.config.childEnv, LC_ALL: 'C' },
      cwd: this.dir,
      outputFile: this.logFile,
      identity: { executable: 'postgres', marker: this.pgdata },
    };
  }

  private async psql(
    database: string,
    sql: string,
    timeoutMs: number,
  ): Promise<{ ok: boolean; out: string }> {
    const { host, postgres: pg } = this.config;
    const result = await runCommand(
      await this.bin('psql'),
      [
        '-X',
        '-q',
        '-A',
        '-t',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        host,
        '-p',
        String(pg.port),
        '-U',
        pg.user,
        '-d',
        database,
        '-c',
        sql,
      ],
      {
        env: {
          ...this.config.childEnv,
          PGPASSWORD: pg.password,
          PGCONNECT_TIMEOUT: String(Math.max(1, Math.ceil(timeoutMs / 1000))),
        },
        timeoutMs: timeoutMs + 2000,
      },
    );
    return { ok: result.code === 0, out: result.code === 0 ? result.stdout.trim() : result.stderr.trim() };
  }

  async probe(timeoutMs: number): Promise<ProbeResult> {
    if ((await this.findBinDir()) === undefined)
      return { serverUp: false, ready: false, detail: 'postgres is not installed' };
    const db = this.config.postgres.database;
    const result = await this.psql(
      'postgres',
      `select current_setting('server_version'), exists(select 1 from pg_database where datname = '${db}')`,
      timeoutMs,
    );
    if (!result.ok)
      return { serverUp: false, ready: false, detail: `login failed: ${result.out.split('\n')[0] ?? ''}` };
    const [version, exists] = result.out.split('|');
    const ready = exists === 't';
    return {
      serverUp: true,
      ready,
      detail: ready
        ? `login as ${this.config.postgres.user} ok; database ${db} exists`
        : `database ${db} missing`,
      version,
    };
  }

  async bootstrap(): Promise<void> {
    const { user, database } = this.config.postgres;
    const probe = await this.probe(5000);
    if (probe.ready) return;
    this.log(`postgres: creating database ${database}`);
    const result = await this.psql('postgres', `create database ${database} owner ${user}`, 10_000);
    if (!result.ok) throw new CommandFailedError(`psql: create database ${database}`, 1, result.out);
  }

  async installedVersion(): Promise<string | undefined> {
    if ((await this.findBinDir()) === undefined) return undefined;
    const result = await runCommand(await this.bin('postgres'), ['--version']).catch(() => undefined);
    return result === undefined ? undefined : parsePostgresVersion(result.stdout);
  }
}
