/**
 * Kafka's own Java producer benchmark (org.apache.kafka.tools.ProducerPerformance from the
 * kafka-tools jar of the same release as the broker), same broker, same record size and count.
 * `cpuMs`: the producer JVM's CPU for the measured records (start-up priced by a short run and
 * left out).
 */
import { kafkaToolCommand } from '@simstream/infra';
import { execFileWithCpu, measureCpu } from './process-cpu.js';
import { round, type Throughput } from './stats.js';

export async function javaProducerPerformance(
  bootstrap: string,
  topic: string,
  recordSize: number,
  records: number,
  /** Whose CPU to measure during the measured run as well (e.g. the broker). */
  others: Readonly<Record<string, number>> = {},
): Promise<Throughput & { raw: string; cpuMs: Record<string, number> }> {
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
  const once = async (count: number) => {
    const { command, args } = await kafkaToolCommand(
      'org.apache.kafka.tools.ProducerPerformance',
      [
        '--topic',
        topic,
        '--num-records',
        String(count),
        '--record-size',
        String(recordSize),
        '--throughput',
        '-1',
        // Kafka 4.2 deprecates --producer-props for --command-property (KIP-1147).
        '--command-property',
        ...props,
      ],
      ['-Xmx1g'],
    );
    return execFileWithCpu(command, args, { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  };
  const {
    result: { stdout, cpuMs: measuredCpu },
    cpuMs: othersCpu,
  } = await measureCpu(others, () => once(records));
  // The JVM's CPU for these records alone: a short second run prices start-up, JIT and shutdown,
  // and the difference per record is what the measured run's records cost.
  const short = Math.max(16, Math.floor(records / 16));
  const { cpuMs: shortCpu } = await once(short);
  const cpuMs = { ...othersCpu };
  if (measuredCpu !== undefined && shortCpu !== undefined)
    cpuMs.producer = Math.max(0, ((measuredCpu - shortCpu) / (records - short)) * records);
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
    cpuMs,
  };
}
