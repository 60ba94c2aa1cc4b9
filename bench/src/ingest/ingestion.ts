/**
 * Ingestion for the benches, as deployed: TLS on its public port, API keys (Postgres),
 * failed-sign-in counts (Redis); a client key of the tenant `bench` with the ingest scope.
 * `env` adds or overrides its environment (e.g. KAFKA_PRODUCER_TRANSPORT).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { endpoints, tls } from '@simstream/infra';
import { REPO_ROOT, apiKeyFor, closeCredentials, freePort, serviceTlsEnv } from '@simstream/stack';
import type { FullPathTarget } from './full-path.js';

export interface BenchIngestion {
  /** Where and as whom a client connects. */
  readonly target: FullPathTarget;
  /** The ingestion process (for its CPU time). */
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startBenchIngestion(
  brokers: readonly string[],
  env: Readonly<Record<string, string>> = {},
  extraNodeArgs: readonly string[] = [],
): Promise<BenchIngestion> {
  const e = endpoints();
  const [grpcPort, internalPort, opsPort] = [await freePort(), await freePort(), await freePort()];
  // BENCH_INGESTION_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the service.
  const nodeArgs = [
    ...(process.env.BENCH_INGESTION_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
    ...extraNodeArgs,
  ];
  const child = spawn(
    process.execPath,
    [...nodeArgs, path.join(REPO_ROOT, 'services/ingestion/dist/main.js')],
    {
      env: {
        ...process.env,
        KAFKA_BROKERS: brokers.join(','),
        DATABASE_URL: e.databaseUrl,
        REDIS_URL: e.redisUrl,
        ...serviceTlsEnv('ingestion'),
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(grpcPort),
        INTERNAL_GRPC_PORT: String(internalPort),
        OPS_PORT: String(opsPort),
        INSTANCE_ID: 'bench',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    await closeCredentials();
  };
  for (let i = 0; ; i++) {
    const status = await fetch(`http://127.0.0.1:${opsPort}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (i === 300 || child.exitCode !== null) {
      await stop();
      throw new Error('ingestion did not become ready within 60 s (its stderr is above)');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    target: {
      address: `127.0.0.1:${grpcPort}`,
      apiKey: await apiKeyFor('bench', ['ingest']),
      caFile: tls().caFile,
    },
    pid: child.pid!,
    stop,
  };
}
