/** Starting the ingestion service for a test, on free ports, with a unique instance id. */
import { randomUUID } from 'node:crypto';
import { endpoints } from '@simstream/infra';
import { freePort, startService, type ServiceProcess } from '@simstream/stack';

export interface IngestionProcess extends ServiceProcess {
  readonly grpcAddress: string;
}

export async function startIngestion(
  env: Record<string, string> = {},
  reuse?: { grpcPort: number; instanceId: string },
): Promise<IngestionProcess> {
  const grpcPort = reuse?.grpcPort ?? (await freePort());
  const service = await startService({
    name: 'ingestion',
    main: 'services/ingestion/dist/main.js',
    env: {
      KAFKA_BROKERS: endpoints().kafkaBrokers.join(','),
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(grpcPort),
      INSTANCE_ID: reuse?.instanceId ?? `test-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  return { ...service, grpcAddress: `127.0.0.1:${grpcPort}` };
}
