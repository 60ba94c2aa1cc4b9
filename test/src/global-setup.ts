/**
 * Vitest global setup of the integration project: the real local infrastructure up (idempotent,
 * quick when already running) and our topics created, before any integration test runs.
 */
import { up } from '@simstream/infra';
import { ensureTopics, topicDefinitions } from '@simstream/kafka';
import { quietLogger, testKafka } from './kafka.js';

export default async function setup(): Promise<void> {
  await up();
  await ensureTopics(testKafka(), topicDefinitions(), quietLogger());
}
