/** Starting the quantum service for a test: free port, its own consumer groups, TLS, the real stores. */
import { endpoints } from '@simstream/infra';
import { freePort, serviceTlsEnv, startService, type ServiceProcess } from '@simstream/stack';

export interface QuantumProcess extends ServiceProcess {
  readonly grpcAddress: string;
}

/** `name` keys the instance id and consumer groups; `env` adds to or overrides the defaults. */
export async function startQuantum(
  name: string,
  env: Record<string, string> = {},
  grpcPort?: number,
): Promise<QuantumProcess> {
  const port = grpcPort ?? (await freePort());
  const e = endpoints();
  const service = await startService({
    name: 'quantum',
    main: 'services/quantum/dist/main.js',
    env: {
      KAFKA_BROKERS: e.kafkaBrokers.join(','),
      DATABASE_URL: e.pooledDatabaseUrl, // through PgBouncer, as in a cluster
      REDIS_URL: e.redisUrl,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      INSTANCE_ID: name,
      LOG_LEVEL: 'info',
      QUANTUM_FRAMES_GROUP: `${name}-frames`,
      QUANTUM_JOBS_GROUP: `${name}-jobs`,
      QUANTUM_FROM_BEGINNING: 'false',
      // A killed instance's partitions move after 6 s (the broker's minimum), not 30 s.
      QUANTUM_SESSION_TIMEOUT: '6s',
      ...serviceTlsEnv('quantum'),
      ...env,
    },
  });
  return { ...service, grpcAddress: `127.0.0.1:${port}` };
}
