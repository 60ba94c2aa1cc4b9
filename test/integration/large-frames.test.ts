/**
 * Frames larger than the topic's message limit travel as chunks in one Kafka transaction and
 * come back byte-identical; a crash in the middle of a chunked frame leaves read_committed
 * consumers with nothing of it (never half a frame), and the client's resend delivers it whole.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameUploader } from '@simstream/client';
import { RecordName, createRegistry, type Frame, type FrameChunk } from '@simstream/contracts';
import { Header, TopicName, type KafkaClient } from '@simstream/kafka';
import {
  endOffsets,
  patternBytes,
  rawReader,
  readUntil,
  setProduceQuota,
  startIngestion,
  testKafka,
  type IngestionProcess,
  ingestionClientFor,
} from '../src/index.js';

const MiB = 1024 * 1024;

function bigFrame(simulationId: string, step: number, bytes: number) {
  return {
    step,
    fields: [
      {
        name: 'rho',
        dtype: 'uint8' as const,
        shape: [bytes],
        data: patternBytes(simulationId, step, 'rho', bytes),
      },
    ],
  };
}

/** Chunk records of a partition range, as a raw consumer sees them (committed or not). */
async function chunksSeen(
  kafka: KafkaClient,
  from: Map<number, number>,
  simulationId: string,
  readUncommitted: boolean,
  expectAtLeast: number,
) {
  const registry = createRegistry();
  const chunks: FrameChunk[] = [];
  const reader = await rawReader({
    kafka,
    topic: TopicName.frames,
    from,
    readUncommitted,
    maxBytesPerPartition: 16 * MiB,
    onRecord: (record) => {
      if (record.key !== simulationId || record.value === null) return;
      if (record.headers[Header.record] === RecordName.FrameChunk)
        chunks.push(registry.decodeAs<FrameChunk>(RecordName.FrameChunk, record.value));
    },
  });
  // Read until enough chunks were seen and nothing new came for a while.
  while (chunks.length < expectAtLeast || Date.now() - reader.lastReadAt < 3000)
    await new Promise((r) => setTimeout(r, 250));
  await reader.stop();
  return chunks;
}

describe('large frames', () => {
  let kafka: KafkaClient;
  let ingestion: IngestionProcess;

  beforeAll(async () => {
    kafka = testKafka();
    ingestion = await startIngestion();
  });
  afterAll(async () => {
    await ingestion?.stop();
  });

  it('chunks 8 MiB and 64 MiB frames and reassembles them byte-identical', async () => {
    const simulationId = `large-${randomUUID().slice(0, 8)}`;
    const from = await endOffsets(kafka, TopicName.frames);
    const client = await ingestionClientFor(ingestion.grpcAddress);
    const chunks: number[] = [];
    const uploader = new FrameUploader(client, {
      simulationId,
      maxUnackedBytes: 128 * MiB,
      onAck: (a) => chunks.push(a.chunks),
    });
    await uploader.start();
    const sizes = [8 * MiB, 64 * MiB, 1024];
    for (const [step, size] of sizes.entries()) await uploader.send(bigFrame(simulationId, step, size));
    await uploader.close();
    client.close();
    expect(chunks).toEqual([3, 17, 1]);

    const records = await readUntil({
      kafka,
      topic: TopicName.frames,
      from,
      filter: (r) => r.key === simulationId,
      until: (rs) => rs.length >= 3,
    });
    expect(records.map((r) => (r.value as Frame).step)).toEqual([0, 1, 2]);
    for (const [i, r] of records.entries()) {
      const field = (r.value as Frame).fields[0]!;
      expect(field.data.length).toBe(sizes[i]);
      expect(field.data.equals(patternBytes(simulationId, i, 'rho', sizes[i]!))).toBe(true);
    }
  });

  it('never shows half a frame to read_committed consumers when ingestion dies mid-frame', async () => {
    const simulationId = `crash-${randomUUID().slice(0, 8)}`;
    const from = await endOffsets(kafka, TopicName.frames);
    // A throttled client id: the broker slows this instance's writes to 16 MiB/s, so the
    // 64 MiB frame's transaction stays open for seconds and the kill lands inside it.
    const clientId = `simstream-crash-${randomUUID().slice(0, 8)}`;
    await setProduceQuota(clientId, 16 * MiB);
    await ingestion.stop();
    ingestion = await startIngestion({ KAFKA_CLIENT_ID: clientId });
    const grpcPort = Number(ingestion.grpcAddress.split(':')[1]);
    const instanceId = ingestion.env.INSTANCE_ID!;
    const client = await ingestionClientFor(ingestion.grpcAddress);
    const uploader = new FrameUploader(client, {
      simulationId,
      maxUnackedBytes: 128 * MiB,
      reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    });
    await uploader.start();
    const sending = uploader.send(bigFrame(simulationId, 0, 64 * MiB));

    // Freeze the process (SIGSTOP) as soon as a read_uncommitted consumer sees the frame's first
    // chunk in the log, i.e. in the middle of the frame's transaction; then kill -9 it.
    let seen: () => void = () => undefined;
    const firstChunk = new Promise<void>((resolve) => (seen = resolve));
    const watcher = await rawReader({
      kafka,
      topic: TopicName.frames,
      from,
      readUncommitted: true,
      maxBytesPerPartition: 16 * MiB,
      onRecord: (record) => {
        if (record.key === simulationId) seen();
      },
    });
    await firstChunk;
    ingestion.child.kill('SIGSTOP');
    await watcher.stop();
    await ingestion.kill9();

    // Same instance id: the restarted service fences the dead one and aborts its transaction.
    await setProduceQuota(clientId, undefined);
    ingestion = await startIngestion({ KAFKA_CLIENT_ID: clientId }, { grpcPort, instanceId });
    await sending;
    await uploader.close();
    client.close();
    // Acked once, after a reconnect; the dead instance never acked it.
    expect(uploader.stats).toMatchObject({ acked: 1, resent: 1 });

    const uncommitted = await chunksSeen(kafka, from, simulationId, true, 2);
    const committed = await chunksSeen(kafka, from, simulationId, false, 17);
    const byFrame = (chunks: FrameChunk[]) => {
      const m = new Map<string, number>();
      for (const c of chunks) m.set(c.frameId, (m.get(c.frameId) ?? 0) + 1);
      return m;
    };
    // The crashed attempt left a partial chunk set in the log, visible only uncommitted...
    const partial = [...byFrame(uncommitted)].filter(([, n]) => n < 17);
    expect(partial.length).toBeGreaterThanOrEqual(1);
    // ...while read_committed consumers see exactly one frame, whole.
    expect([...byFrame(committed).values()]).toEqual([17]);
    const records = await readUntil({
      kafka,
      topic: TopicName.frames,
      from,
      filter: (r) => r.key === simulationId,
      until: (rs) => rs.length >= 1,
    });
    expect(records).toHaveLength(1);
    expect(
      (records[0]!.value as Frame).fields[0]!.data.equals(patternBytes(simulationId, 0, 'rho', 64 * MiB)),
    ).toBe(true);
  });
});
