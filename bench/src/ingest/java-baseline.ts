/**
 * Kafka's own Java producer benchmark (org.apache.kafka.tools.ProducerPerformance from the
 * kafka-tools jar of the same release as the broker), same broker, same record size and count.
 */
import { kafkaToolCommand } from '@simstream/infra';
import { execFileWithCpu } from './process-cpu.js';
import { round, type Throughput } from './stats.js';

export async function javaProducerPerformance(
  bootstrap: string,
  topic: string,
  recordSize: number,
  records: number,
): Promise<Throughput & { raw: string; cpuMs?: number }> {
  const props = [
    `bootstrap.servers=${bootstrap}`,
    'acks=all',
    'enable.idempotence=true',
    'linger.ms=5',
    `batch.size=${Math.max(16384, Math.min(8 * 1024 * 1024, recordSize * 4))}`,
    `max.request.size=${32 * 1024 * 1024}`,
    `buffer.memory=${Math.max(64 * 1024 * 1024, recordSize * 8)}`,
    'compression.type=none',
  ];
  const { command, args } = await kafkaToolCommand(
    'org.apache.kafka.tools.ProducerPerformance',
    [
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      ...props,
    ],
    ['-Xmx1g'],
  );
  const { stdout, cpuMs } = await execFileWithCpu(command, args, {
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  // "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, p50 ms 50th, p95 ms 95th, p99 ms 99th, ..."
  const last =
    stdout
      .trim()
      .split('\n')
      .filter((l) => l.includes('records sent'))
      .pop() ?? '';
  const m =
    /([\d.]+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
      last,
    );
  if (m === null) throw new Error(`unexpected ProducerPerformance output: ${stdout.slice(-500)}`);
  const recordsPerSecond = Number(m[2]);
  return {
    records,
    bytes: records * recordSize,
    seconds: round(records / recordsPerSecond, 3),
    recordsPerSecond: round(recordsPerSecond, 1),
    mbPerSecond: round((recordsPerSecond * recordSize) / 1e6, 1),
    latencyP50Ms: Number(m[6]),
    latencyP99Ms: Number(m[8]),
    raw: last,
    ...(cpuMs === undefined ? {} : { cpuMs }),
  };
}
