/**
 * 10,000 frames over several concurrent streams arrive in Kafka byte-identical, in step order per
 * simulation, none missing, none doubled; every ack names the partition and offset where the
 * frame really is.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameUploader } from '@simstream/client';
import { RecordName, type Frame } from '@simstream/contracts';
import { TopicName, partitionForKey, type KafkaClient } from '@simstream/kafka';
import {
  endOffsets,
  patternBytes,
  readUntil,
  startIngestion,
  syntheticFrame,
  testKafka,
  type IngestionProcess,
  ingestionClientFor,
} from '../src/index.js';

const STREAMS = 8;
const FRAMES_PER_STREAM = 1250;

describe('ingestion → Kafka round trip', () => {
  let ingestion: IngestionProcess;
  let kafka: KafkaClient;

  beforeAll(async () => {
    kafka = testKafka();
    ingestion = await startIngestion();
  });
  afterAll(async () => {
    await ingestion?.stop();
  });

  it('delivers 10,000 frames from 8 concurrent streams exactly once, in order, byte-identical', async () => {
    const run = randomUUID().slice(0, 8);
    const simulations = Array.from({ length: STREAMS }, (_, i) => `roundtrip-${run}-${i}`);
    const from = await endOffsets(kafka, TopicName.frames);
    const client = await ingestionClientFor(ingestion.grpcAddress);
    const acks = new Map<string, { step: number; partition: number; offset: number }[]>();

    await Promise.all(
      simulations.map(async (simulationId) => {
        const list: { step: number; partition: number; offset: number }[] = [];
        acks.set(simulationId, list);
        const uploader = new FrameUploader(client, {
          simulationId,
          onAck: (ack) => list.push({ step: ack.step, partition: ack.partition, offset: ack.offset }),
          onReject: (r) => {
            throw new Error(`unexpected rejection ${r.reason}: ${r.message}`);
          },
        });
        expect(await uploader.start()).toBeUndefined();
        for (let step = 0; step < FRAMES_PER_STREAM; step++)
          await uploader.send(syntheticFrame(simulationId, step, 256));
        await uploader.close();
        expect(uploader.stats).toMatchObject({ acked: FRAMES_PER_STREAM, rejected: 0, resent: 0 });
      }),
    );
    client.close();

    const ours = new Set(simulations);
    const records = await readUntil({
      kafka,
      topic: TopicName.frames,
      from,
      filter: (r) => ours.has(r.key ?? ''),
      until: (rs) => rs.length >= STREAMS * FRAMES_PER_STREAM,
      timeoutMs: 120_000,
    });
    expect(records).toHaveLength(STREAMS * FRAMES_PER_STREAM);

    for (const simulationId of simulations) {
      const frames = records.filter((r) => r.key === simulationId);
      expect(frames.every((r) => r.name === RecordName.Frame)).toBe(true);
      // In step order, exactly once.
      expect(frames.map((r) => (r.value as Frame).step)).toEqual(
        Array.from({ length: FRAMES_PER_STREAM }, (_, i) => i),
      );
      // One partition per simulation, Kafka's default partitioner.
      const partition = partitionForKey(simulationId, from.size);
      expect(new Set(frames.map((r) => r.partition))).toEqual(new Set([partition]));
      // Acks point at the records.
      const byStep = new Map(frames.map((r) => [(r.value as Frame).step, r]));
      for (const ack of acks.get(simulationId)!) {
        expect(byStep.get(ack.step)).toMatchObject({ partition: ack.partition, offset: ack.offset });
      }
      // Byte-identical.
      for (const r of frames) {
        const frame = r.value as Frame;
        expect(frame.simulationId).toBe(simulationId);
        expect(frame.attributes).toEqual({ source: 'test' });
        for (const field of frame.fields) {
          expect(field.data.equals(patternBytes(simulationId, frame.step, field.name, 1024))).toBe(true);
        }
      }
    }
  });
});
