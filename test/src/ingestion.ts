/** Starting the ingestion service for a test, on free ports, with a unique instance id. */
import { randomUUID } from 'node:crypto';
import { endpoints } from '@simstream/infra';
import { freePort, serviceTlsEnv, startService, type ServiceProcess } from '@simstream/stack';

export interface IngestionProcess extends ServiceProcess {
  /** The public port: TLS, API keys. */
  readonly grpcAddress: string;
  /** The internal port: mutual TLS, the gateway's certificate. */
  readonly internalAddress: string;
}

export async function startIngestion(
  env: Record<string, string> = {},
  reuse?: { grpcPort: number; internalPort?: number; instanceId: string },
): Promise<IngestionProcess> {
  const grpcPort = reuse?.grpcPort ?? (await freePort());
  const internalPort = reuse?.internalPort ?? (await freePort());
  const service = await startService({
    name: 'ingestion',
    main: 'services/ingestion/dist/main.js',
    env: {
      KAFKA_BROKERS: endpoints().kafkaBrokers.join(','),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      INTERNAL_GRPC_PORT: String(internalPort),
      DATABASE_URL: endpoints().pooledDatabaseUrl, // through PgBouncer, as in a cluster
      REDIS_URL: endpoints().redisUrl,
      ...serviceTlsEnv('ingestion'),
      // Every test client comes from 127.0.0.1, like clients behind one NAT: the per-address
      // limit would couple unrelated tests through Redis. Tests of that limit set their own.
      AUTH_FAILURES_PER_ADDRESS: '100000',
      INSTANCE_ID: reuse?.instanceId ?? `test-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  return { ...service, grpcAddress: `127.0.0.1:${grpcPort}`, internalAddress: `127.0.0.1:${internalPort}` };
}
