/**
 * Redis from the Debian package (redis-server), bound to loopback with its dump file in our data
 * dir. Readiness is a PING answered with PONG.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { serviceDir, type InfraConfig } from './config.js';
import { ensurePackage, fileExists } from './debian-packages.js';
import {
  parseRedisProbeReply,
  REDIS_PROBE_REQUEST,
  renderRedisConf,
  type RedisProbeReply,
} from './redis-config.js';
import { runCommand } from './run-command.js';
import type { LaunchSpec, ProbeResult, ServiceDriver } from './service.js';

const REDIS_SERVER = '/usr/bin/redis-server';

export class RedisService implements ServiceDriver {
  readonly name = 'redis' as const;
  readonly address: string;
  readonly ports: readonly number[];
  readonly dir: string;
  readonly logFile: string;
  readonly stopSignal = 'SIGTERM' as const;
  readonly stopTimeoutMs = 15_000;
  readonly readyTimeoutMs = 30_000;
  private readonly confFile: string;

  constructor(
    private readonly config: InfraConfig,
    private readonly log: (line: string) => void,
  ) {
    this.address = `${config.host}:${config.redis.port}`;
    this.ports = [config.redis.port];
    this.dir = serviceDir(config, 'redis');
    this.logFile = join(this.dir, 'redis.log');
    this.confFile = join(this.dir, 'redis.conf');
  }

  async ensureInstalled(): Promise<void> {
    await ensurePackage(
      { pkg: 'redis-server', present: () => fileExists(REDIS_SERVER) },
      { isRoot: this.config.isRoot, env: this.config.childEnv, log: this.log },
    );
  }

  async prepare(): Promise<void> {
    const dataDir = join(this.dir, 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(
      this.confFile,
      renderRedisConf({
        host: this.config.host,
        port: this.config.redis.port,
        dataDir,
        logFile: this.logFile,
      }),
    );
  }

  launchSpec(): Promise<LaunchSpec> {
    return Promise.resolve({
      command: REDIS_SERVER,
      args: [this.confFile],
      env: this.config.childEnv,
      cwd: this.dir,
      outputFile: join(this.dir, 'stdout.log'),
      identity: { executable: 'redis-server', marker: this.confFile },
    });
  }

  async probe(timeoutMs: number): Promise<ProbeResult> {
    try {
      const reply = await pingRedis(this.config.host, this.config.redis.port, timeoutMs);
      if (!reply.pong) return { serverUp: false, ready: false, detail: `PING answered "${reply.firstLine}"` };
      return {
        serverUp: true,
        ready: true,
        detail: 'PING -> PONG',
        ...(reply.version === undefined ? {} : { version: reply.version }),
      };
    } catch (error) {
      return { serverUp: false, ready: false, detail: `PING failed: ${(error as Error).message}` };
    }
  }

  async bootstrap(): Promise<void> {
    // Nothing to create: Redis keys are written by the application.
  }

  async installedVersion(): Promise<string | undefined> {
    const result = await runCommand(REDIS_SERVER, ['--version']).catch(() => undefined);
    return result === undefined ? undefined : /v=(\S+)/.exec(result.stdout)?.[1];
  }
}

function pingRedis(host: string, port: number, timeoutMs: number): Promise<RedisProbeReply> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let data = Buffer.alloc(0);
    const finish = (error: Error | undefined, reply?: RedisProbeReply): void => {
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(reply!);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('connection closed before an answer')));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const reply = parseRedisProbeReply(data);
      if (reply !== undefined) finish(undefined, reply);
    });
    socket.connect(port, host, () => socket.write(REDIS_PROBE_REQUEST));
  });
}
