/** Running Kafka's own command-line tools (from the locked jars) in tests. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { endpoints, kafkaToolCommand } from '@simstream/infra';

const run = promisify(execFile);

/**
 * Sets (or with `undefined`, removes) a produce byte-rate quota for a Kafka client id: the
 * broker then throttles that client, which lets a test hold a transaction open for seconds.
 */
export async function setProduceQuota(clientId: string, bytesPerSecond: number | undefined): Promise<void> {
  const bootstrap = endpoints().kafkaBrokers[0]!;
  const change =
    bytesPerSecond === undefined
      ? ['--delete-config', 'producer_byte_rate']
      : ['--add-config', `producer_byte_rate=${bytesPerSecond}`];
  const { command, args } = await kafkaToolCommand(
    'kafka.admin.ConfigCommand',
    [
      '--bootstrap-server',
      bootstrap,
      '--alter',
      '--entity-type',
      'clients',
      '--entity-name',
      clientId,
      ...change,
    ],
    ['-Xmx128m'],
  );
  await run(command, args, { timeout: 60_000 });
}
