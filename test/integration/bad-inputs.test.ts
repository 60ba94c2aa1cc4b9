/**
 * Bad input gets a precise error and breaks nothing else: per-frame rejections with the field
 * and reason while the stream (and a concurrent one) goes on; stream-level protocol errors end
 * only that stream; undecodable bytes on the frames topic go to the dead-letter topic with the
 * reason in headers while the consumer carries on.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { FrameUploader, type IngestionClient, prepareFrame, type FrameStreamCall } from '@simstream/client';
import {
  RecordName,
  createRegistry,
  type Frame,
  type ProtoFrame,
  type StreamFramesResponseOutput,
} from '@simstream/contracts';
import { BatchingProducer, Header, PartitionCounts, TopicName, type KafkaClient } from '@simstream/kafka';
import {
  endOffsets,
  readRawUntil,
  quietLogger,
  readUntil,
  startIngestion,
  syntheticFrame,
  testKafka,
  type IngestionProcess,
  ingestionClientFor,
} from '../src/index.js';

const f32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer);

function frame(step: number, fields: ProtoFrame['fields']): ProtoFrame {
  return { simulationId: '', step, simTime: step, fields, attributes: {} };
}

/** Sends requests on a raw stream and collects every response until the stream ends. */
async function exchange(call: FrameStreamCall, requests: Parameters<FrameStreamCall['write']>[0][]) {
  const responses: StreamFramesResponseOutput[] = [];
  const ended = new Promise<ServiceError | undefined>((resolve) => {
    call.on('data', (r: StreamFramesResponseOutput) => responses.push(r));
    call.on('error', (e: ServiceError) => resolve(e));
    call.on('end', () => resolve(undefined));
  });
  for (const r of requests) call.write(r);
  call.end();
  return { responses, error: await ended };
}

describe('bad inputs', () => {
  let kafka: KafkaClient;
  let ingestion: IngestionProcess;
  let client: IngestionClient;

  beforeAll(async () => {
    kafka = testKafka();
    ingestion = await startIngestion({ INGEST_CHECK_FINITE: 'true', INGEST_MAX_FRAME_BYTES: '1MiB' });
    client = await ingestionClientFor(ingestion.grpcAddress);
  });
  afterAll(async () => {
    client?.close();
    await ingestion?.stop();
  });

  it('rejects each bad frame precisely while the stream and a concurrent stream go on', async () => {
    const simulationId = `bad-${randomUUID().slice(0, 8)}`;
    const good = (step: number) =>
      frame(step, [
        { name: 'p', dtype: 'DTYPE_FLOAT32', shape: [2], codec: 'CODEC_NONE', data: f32([1, 2]) },
      ]);
    // A well-behaved neighbour streams at the same time.
    const neighbour = new FrameUploader(client, { simulationId: `${simulationId}-neighbour` });
    await neighbour.start();
    const neighbourDone = (async () => {
      for (let step = 0; step < 200; step++)
        await neighbour.send(syntheticFrame(`${simulationId}-neighbour`, step, 64));
      await neighbour.close();
    })();

    const { responses, error } = await exchange(client.streamFrames(), [
      { open: { simulationId } },
      { frame: good(0) },
      {
        frame: frame(1, [
          { name: 'p', dtype: 'DTYPE_FLOAT32', shape: [3], codec: 'CODEC_NONE', data: f32([1, 2]) },
        ]),
      },
      {
        frame: frame(2, [
          { name: 'p', dtype: 'DTYPE_UNSPECIFIED', shape: [2], codec: 'CODEC_NONE', data: f32([1, 2]) },
        ]),
      },
      {
        frame: frame(3, [
          { name: 'p', dtype: 'DTYPE_FLOAT32', shape: [2], codec: 'CODEC_NONE', data: f32([1, Number.NaN]) },
        ]),
      },
      {
        frame: frame(4, [
          {
            name: 'p',
            dtype: 'DTYPE_UINT8',
            shape: [1536 * 1024],
            codec: 'CODEC_NONE',
            data: Buffer.alloc(1536 * 1024),
          },
        ]),
      },
      { frame: frame(5, []) },
      { frame: good(6) },
      { frame: good(6) },
      { frame: { ...good(7), simulationId: 'someone-else' } },
      { frame: good(8) },
    ]);
    expect(error).toBeUndefined(); // the stream ended normally after all that
    expect(responses[0]!.opened?.simulationId).toBe(simulationId);
    const results = responses
      .slice(1)
      .map((r) =>
        r.ack != null
          ? `ack ${r.ack.step}`
          : `${r.rejected!.step} ${GrpcStatus[r.rejected!.code]} ${r.rejected!.reason} ${r.rejected!.violations.map((v) => v.field).join(',')}`,
      );
    expect(results).toEqual([
      'ack 0',
      '1 INVALID_ARGUMENT SHAPE_MISMATCH fields[0].data',
      '2 INVALID_ARGUMENT DTYPE_UNKNOWN fields[0].dtype',
      '3 INVALID_ARGUMENT NON_FINITE_VALUE fields[0].data',
      '4 INVALID_ARGUMENT FRAME_TOO_LARGE fields',
      '5 INVALID_ARGUMENT FIELDS_EMPTY fields',
      'ack 6',
      '6 FAILED_PRECONDITION STEP_NOT_INCREASING ',
      '7 INVALID_ARGUMENT SIMULATION_ID_MISMATCH simulation_id',
      'ack 8',
    ]);
    const rejection = responses.find((r) => r.rejected?.reason === 'SHAPE_MISMATCH')!.rejected!;
    expect(rejection.message).toContain('data is 8 bytes but shape [3] of float32 needs 12');

    await neighbourDone;
    expect(neighbour.stats).toMatchObject({ acked: 200, rejected: 0, reconnects: 0 });
  });

  it('ends only the offending stream on protocol errors, with a precise status', async () => {
    const noOpen = await exchange(client.streamFrames(), [{ frame: frame(0, []) }]);
    expect(noOpen.error?.code).toBe(GrpcStatus.FAILED_PRECONDITION);
    expect(noOpen.error?.details).toMatch(/OpenStream before frames/);

    const badId = await exchange(client.streamFrames(), [{ open: { simulationId: 'Not A Valid Id!' } }]);
    expect(badId.error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(badId.error?.metadata.get('simstream-reason')).toEqual(['SIMULATION_ID_INVALID']);

    const twice = await exchange(client.streamFrames(), [
      { open: { simulationId: `twice-${randomUUID().slice(0, 8)}` } },
      { open: { simulationId: 'x' } },
    ]);
    expect(twice.error?.code).toBe(GrpcStatus.FAILED_PRECONDITION);

    // The service is fine afterwards.
    expect((await client.status()).ready).toBe(true);
    const prepared = await prepareFrame('after-errors', syntheticFrame('after-errors', 0, 4));
    const results = await client.ingestBatch([
      { ...prepared.message, simulationId: `batch-${randomUUID().slice(0, 8)}` },
    ]);
    expect(results[0]!.ack?.step).toBe(0);
  });

  it("stamps frames with the credential's tenant, whatever tenant header the caller sends", async () => {
    const simulationId = `tenant-${randomUUID().slice(0, 8)}`;
    const from = await endOffsets(kafka, TopicName.frames);
    // acme's key, and a forged x-simstream-tenant naming another tenant: the key wins.
    const acme = await ingestionClientFor(ingestion.grpcAddress, 'acme', { tenant: 'mallory' });
    const uploader = new FrameUploader(acme, { simulationId });
    await uploader.start();
    await uploader.send(syntheticFrame(simulationId, 0, 4));
    await uploader.close();
    const records = await readUntil({
      kafka,
      topic: TopicName.frames,
      from,
      filter: (r) => r.key === simulationId,
      until: (rs) => rs.length >= 1,
    });
    expect((records[0]!.value as Frame).tenant).toBe('acme');
    acme.close();
  });

  it('sends undecodable Kafka records to the dead-letter topic with the reason, and goes on', async () => {
    const logger = quietLogger();
    const producer = new BatchingProducer({
      transport: kafka.producers('kafkajs'),
      logger,
      partitions: new PartitionCounts(kafka),
      name: 'test_raw',
    });
    const key = `garbage-${randomUUID().slice(0, 8)}`;
    const registry = createRegistry();
    const from = await endOffsets(kafka, TopicName.frames);
    const dlqFrom = await endOffsets(kafka, TopicName.dlq);
    const valid: Frame = {
      frameId: randomUUID(),
      simulationId: key,
      step: 1,
      simTime: 0,
      fields: [],
      attributes: {},
      ingestedAt: Date.now(),
      tenant: 'default',
    };
    const encoded = registry.encode(RecordName.Frame, valid);
    const unknownSchema = Buffer.from(encoded);
    unknownSchema[3] = unknownSchema[3]! ^ 0xff;
    await producer.send([
      { topic: TopicName.frames, key, value: Buffer.from('definitely not avro') },
      { topic: TopicName.frames, key, value: unknownSchema },
      { topic: TopicName.frames, key, value: encoded.subarray(0, encoded.length - 4) },
      { topic: TopicName.frames, key, value: encoded },
    ]);

    const dlqProducer = new BatchingProducer({
      transport: kafka.producers('kafkajs'),
      logger,
      partitions: new PartitionCounts(kafka),
      name: 'test_dlq',
    });
    const records = await readUntil({
      kafka,
      topic: TopicName.frames,
      from,
      filter: (r) => r.key === key,
      until: (rs) => rs.length >= 1,
      dlq: { producer: dlqProducer, topic: TopicName.dlq },
    });
    expect(records.map((r) => (r.value as Frame).step)).toEqual([1]);

    const dead = (
      await readRawUntil({
        kafka,
        topic: TopicName.dlq,
        from: dlqFrom,
        until: (rs) => rs.filter((r) => r.key === key).length >= 3,
        timeoutMs: 30_000,
      })
    )
      .filter((r) => r.key === key)
      .map((r) => ({
        reason: r.headers[Header.dlqReason] ?? '',
        error: r.headers[Header.dlqError] ?? '',
        topic: r.headers[Header.dlqTopic] ?? '',
        offset: r.headers[Header.dlqOffset] ?? '',
      }));
    await Promise.all([producer.close(), dlqProducer.close()]);
    expect(dead.map((d) => d.reason)).toEqual([
      'AVRO_BAD_MAGIC',
      'AVRO_UNKNOWN_SCHEMA',
      'AVRO_DECODE_FAILED',
    ]);
    expect(dead.every((d) => d.topic === TopicName.frames && d.offset !== '')).toBe(true);
    expect(dead[0]!.error).toMatch(/not an Avro single object/);
  });
});
