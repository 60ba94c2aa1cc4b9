/**
 * Bare kafkajs producer loops on the same broker, the same bytes (records of the payload size,
 * no Avro, no gRPC, no transactions): the ceiling of what our TypeScript path can reach.
 * `one-per-send` awaits each record (one request in flight); `batched` sends as many records
 * per request as fit in ~1 MiB, still one request in flight (what a careful kafkajs user does).
 */
import type { Kafka } from '@simstream/kafka';
import { throughput, type Throughput } from './stats.js';

export async function kafkajsLoop(
  kafka: Kafka,
  topic: string,
  payload: Buffer,
  records: number,
  mode: 'one-per-send' | 'batched',
): Promise<Throughput> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const latencies: number[] = [];
  const perRequest = mode === 'one-per-send' ? 1 : Math.max(1, Math.floor((1024 * 1024) / payload.length));
  const started = performance.now();
  let sent = 0;
  while (sent < records) {
    const n = Math.min(perRequest, records - sent);
    const messages = Array.from({ length: n }, (_, i) => ({
      key: `bench-${(sent + i) % 12}`,
      value: payload,
    }));
    const t = performance.now();
    await producer.send({ topic, acks: -1, messages });
    const ms = performance.now() - t;
    for (let i = 0; i < n; i++) latencies.push(ms);
    sent += n;
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return throughput(records, records * payload.length, seconds, latencies);
}
