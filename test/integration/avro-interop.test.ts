/**
 * What ingestion writes to Kafka decodes with another language's Avro library: fastavro
 * (Python) checks the single-object marker and the CRC-64-AVRO fingerprint it computes itself,
 * decodes the body with our .avsc file, and finds the same frame.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameUploader } from '@simstream/client';
import { RecordName, type Frame } from '@simstream/contracts';
import { TopicName, type KafkaClient } from '@simstream/kafka';
import {
  REPO_ROOT,
  endOffsets,
  readRawUntil,
  pythonWith,
  startIngestion,
  syntheticFrame,
  testKafka,
  type IngestionProcess,
  ingestionClientFor,
} from '../src/index.js';

const run = promisify(execFile);

describe('Avro interoperability', () => {
  let kafka: KafkaClient;
  let ingestion: IngestionProcess;
  beforeAll(async () => {
    kafka = testKafka();
    ingestion = await startIngestion();
  });
  afterAll(async () => {
    await ingestion?.stop();
  });

  it('fastavro decodes the frames ingestion wrote to Kafka', async () => {
    const python = await pythonWith(['fastavro==1.13.1']);
    const simulationId = `interop-${randomUUID().slice(0, 8)}`;
    const from = await endOffsets(kafka, TopicName.frames);
    const client = await ingestionClientFor(ingestion.grpcAddress);
    const uploader = new FrameUploader(client, { simulationId });
    await uploader.start();
    for (let step = 0; step < 3; step++) {
      const frame = syntheticFrame(simulationId, step, 100);
      await uploader.send({
        ...frame,
        fields: [
          ...frame.fields,
          {
            name: 'w',
            dtype: 'float64',
            shape: [2, 2],
            codec: 'deflate',
            data: new Float64Array([1, 2, 3, step]),
          },
        ],
      });
    }
    await uploader.close();
    client.close();

    // Raw message values, as any Kafka client reads them.
    const values = (
      await readRawUntil({
        kafka,
        topic: TopicName.frames,
        from,
        until: (rs) => rs.filter((r) => r.key === simulationId && r.value !== null).length >= 3,
        timeoutMs: 30_000,
      })
    )
      .filter((r) => r.key === simulationId && r.value !== null)
      .map((r) => r.value!);
    expect(values).toHaveLength(3);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'simstream-interop-'));
    const file = path.join(dir, 'messages.bin');
    const lengthPrefixed = values.flatMap((v) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(v.length);
      return [length, v];
    });
    writeFileSync(file, Buffer.concat(lengthPrefixed));
    const { stdout } = await run(python, [
      path.join(REPO_ROOT, 'test/python/decode_single_objects.py'),
      path.join(REPO_ROOT, 'libs/contracts/avro/frame.v2.avsc'),
      file,
    ]);
    const decoded = stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as Omit<Frame, 'fields'> & {
            fields: {
              name: string;
              dtype: string;
              shape: number[];
              codec: string;
              data: { sha256: string; length: number };
            }[];
          },
      );

    expect(decoded.map((f) => f.step)).toEqual([0, 1, 2]);
    for (const [step, f] of decoded.entries()) {
      expect(f.simulationId).toBe(simulationId);
      expect(f.attributes).toEqual({ source: 'test' });
      expect(f.tenant).toBe('default');
      expect(Math.abs(f.ingestedAt - Date.now())).toBeLessThan(120_000);
      const original = syntheticFrame(simulationId, step, 100).fields[0]!;
      const sha = createHash('sha256')
        .update(Buffer.from(original.data.buffer, original.data.byteOffset, original.data.byteLength))
        .digest('hex');
      expect(f.fields[0]).toEqual({
        name: 'u',
        dtype: 'uint8',
        shape: [400],
        codec: 'none',
        data: { sha256: sha, length: 400 },
      });
      expect(f.fields[2]).toMatchObject({ name: 'w', dtype: 'float64', shape: [2, 2], codec: 'deflate' });
    }
    expect(RecordName.Frame).toBe('io.simstream.v1.Frame');
  });
});
