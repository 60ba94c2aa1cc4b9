/**
 * Vitest global setup of the chaos project: the infrastructure with Kafka as the 3-node cluster
 * (SIMSTREAM_KAFKA_BROKERS=3, set by `pnpm test:chaos`), our topics created from the cluster
 * table. A cluster this setup started is stopped again afterwards; one found running is left so.
 */
import { createInfra } from '@simstream/infra';
import { ensureTopics, topicDefinitions, topicEnvironment } from '@simstream/kafka';
import { quietLogger, testKafka } from './kafka.js';

export default async function setup(): Promise<() => Promise<void>> {
  const infra = createInfra();
  if (infra.config.kafka.brokers !== 3 || process.env.KAFKA_TOPIC_ENVIRONMENT !== 'cluster')
    throw new Error(
      'the chaos tests need SIMSTREAM_KAFKA_BROKERS=3 and KAFKA_TOPIC_ENVIRONMENT=cluster (use `./dev test:chaos`)',
    );
  const results = await infra.up();
  await ensureTopics(testKafka(), topicDefinitions(topicEnvironment('cluster')), quietLogger());
  const startedCluster = results.some((r) => r.name.startsWith('kafka-') && r.action === 'started');
  return async () => {
    if (startedCluster) await infra.down(['kafka']);
  };
}
