/**
 * Failures mid-stream: kill -9 of ingestion (clients reconnect and resend what was not acked),
 * and the Kafka broker stopped for 10 s (streams survive when the outage is shorter than the
 * configured timeout, or end with UNAVAILABLE and resume when it is longer; memory stays bounded).
 * Afterwards every frame is in Kafka exactly once and in step order: a reconnecting stream is
 * told the final durable step (its simulation's writers are fenced first), so nothing is resent
 * that Kafka already holds.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { FrameUploader, type IngestionClient } from '@simstream/client';
import type { Frame } from '@simstream/contracts';
import { start, stop } from '@simstream/infra';
import { TopicName, type KafkaClient } from '@simstream/kafka';
import {
  deduplicated,
  endOffsets,
  metricValue,
  patternBytes,
  range,
  readUntil,
  startIngestion,
  stepsOf,
  syntheticFrame,
  testKafka,
  type IngestionProcess,
  ingestionClientFor,
} from '../src/index.js';

interface Upload {
  readonly simulationId: string;
  readonly uploader: FrameUploader;
  readonly acked: Set<number>;
  readonly reconnectErrors: string[];
  done: Promise<void>;
}

function upload(client: IngestionClient, simulationId: string, frames: number, elements: number): Upload {
  const acked = new Set<number>();
  const reconnectErrors: string[] = [];
  const uploader = new FrameUploader(client, {
    simulationId,
    maxUnackedFrames: 64,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000, giveUpAfterMs: 120_000 },
    onAck: (ack) => acked.add(ack.step),
    onReject: (r) => {
      throw new Error(`unexpected rejection ${r.reason}`);
    },
    onReconnect: (info) => reconnectErrors.push(info.error),
  });
  const u: Upload = { simulationId, uploader, acked, reconnectErrors, done: Promise.resolve() };
  u.done = (async () => {
    await uploader.start();
    for (let step = 0; step < frames; step++)
      await uploader.send(syntheticFrame(simulationId, step, elements));
    await uploader.close();
  })();
  return u;
}

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function checkDelivered(
  kafka: KafkaClient,
  from: Map<number, number>,
  uploads: readonly Upload[],
  frames: number,
  elements: number,
) {
  const ids = new Set(uploads.map((u) => u.simulationId));
  const records = await readUntil({
    kafka,
    topic: TopicName.frames,
    from,
    filter: (r) => ids.has(r.key ?? ''),
    until: (rs) => uploads.every((u) => deduplicated(stepsOf(rs, u.simulationId)).length >= frames),
    timeoutMs: 120_000,
  });
  for (const u of uploads) {
    const steps = stepsOf(records, u.simulationId);
    // Exactly once, in order: no resend of anything already durable.
    expect(steps).toEqual(range(frames));
    for (const step of u.acked) expect(steps).toContain(step);
    for (const r of records.filter((x) => x.key === u.simulationId)) {
      const f = r.value as Frame;
      expect(f.fields[0]!.data.equals(patternBytes(u.simulationId, f.step, 'u', elements * 4))).toBe(true);
    }
  }
  return records;
}

describe('ingestion under failures', () => {
  let kafka: KafkaClient;
  beforeAll(() => {
    kafka = testKafka();
  });

  it('survives kill -9 of ingestion mid-stream: clients reconnect, resend, nothing acked is lost', async () => {
    const FRAMES = 600;
    const ELEMENTS = 4096; // 16 KiB per field
    let ingestion: IngestionProcess = await startIngestion();
    const grpcPort = Number(ingestion.grpcAddress.split(':')[1]);
    const instanceId = ingestion.env.INSTANCE_ID!;
    const from = await endOffsets(kafka, TopicName.frames);
    const client = await ingestionClientFor(ingestion.grpcAddress);
    const run = randomUUID().slice(0, 8);
    const uploads = range(4).map((i) => upload(client, `kill9-${run}-${i}`, FRAMES, ELEMENTS));
    try {
      await until(() => uploads.reduce((n, u) => n + u.acked.size, 0) >= 400, 60_000, '400 acks');
      await ingestion.kill9();
      await new Promise((r) => setTimeout(r, 1000));
      ingestion = await startIngestion({}, { grpcPort, instanceId });
      await Promise.all(uploads.map((u) => u.done));
    } finally {
      client.close();
      await ingestion.stop();
    }
    const records = await checkDelivered(kafka, from, uploads, FRAMES, ELEMENTS);
    expect(uploads.every((u) => u.uploader.stats.reconnects >= 1)).toBe(true);
    // Every frame was confirmed once: by its ack, or (when the ack died with the process) by the
    // last durable step the server reported on reconnect.
    for (const u of uploads) expect(u.acked.size + u.uploader.stats.alreadyDurable).toBe(FRAMES);
    // Frames were in flight when the process died: resent, or found durable on reconnect.
    expect(records.length).toBe(uploads.length * FRAMES);
    expect(
      uploads.reduce((n, u) => n + u.uploader.stats.resent + u.uploader.stats.alreadyDurable, 0),
    ).toBeGreaterThan(0);
  });

  it('drains gracefully on SIGTERM: streams end UNAVAILABLE after their acks, clients resume elsewhere, exit code 0', async () => {
    const FRAMES = 400;
    const ELEMENTS = 4096;
    const first = await startIngestion();
    const second = await startIngestion();
    const from = await endOffsets(kafka, TopicName.frames);
    // One client whose channel can reach either instance (a load balancer's view).
    const client = await ingestionClientFor(`ipv4:${first.grpcAddress},${second.grpcAddress}`, 'default', {
      channelOptions: { 'grpc.lb_policy_name': 'round_robin' },
    });
    const run = randomUUID().slice(0, 8);
    const uploads = range(3).map((i) => upload(client, `sigterm-${run}-${i}`, FRAMES, ELEMENTS));
    let exitCode: number | null = null;
    try {
      await until(() => uploads.reduce((n, u) => n + u.acked.size, 0) >= 300, 60_000, '300 acks');
      exitCode = await first.stop();
      await Promise.all(uploads.map((u) => u.done));
    } finally {
      client.close();
      await second.stop();
    }
    expect(exitCode).toBe(0);
    // Streams on the drained instance were told so, and resumed on the other one.
    expect(uploads.flatMap((u) => u.reconnectErrors).join('\n')).toMatch(/shutting down/);
    await checkDelivered(kafka, from, uploads, FRAMES, ELEMENTS);
  });

  it('rides out a 10 s broker outage: no frame lost, streams survive or end UNAVAILABLE and resume, memory bounded', async () => {
    const FRAMES = 400;
    const ELEMENTS = 16384; // 64 KiB per field, 128 KiB per frame
    const budget = { INGEST_MAX_STREAM_INFLIGHT_BYTES: '2MiB', INGEST_MAX_INFLIGHT_BYTES: '8MiB' };
    const patient = await startIngestion({ ...budget, INGEST_KAFKA_OUTAGE_TIMEOUT: '40s' });
    const impatient = await startIngestion({ ...budget, INGEST_KAFKA_OUTAGE_TIMEOUT: '3s' });
    const from = await endOffsets(kafka, TopicName.frames);
    const clients = [
      await ingestionClientFor(patient.grpcAddress),
      await ingestionClientFor(impatient.grpcAddress),
    ];
    const run = randomUUID().slice(0, 8);
    const survivors = range(2).map((i) =>
      upload(clients[0]!, `outage-${run}-patient-${i}`, FRAMES, ELEMENTS),
    );
    const resumers = range(2).map((i) =>
      upload(clients[1]!, `outage-${run}-impatient-${i}`, FRAMES, ELEMENTS),
    );
    const all = [...survivors, ...resumers];
    const peaks = { inFlight: [0, 0], rss: [0, 0] };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const [i, svc] of [patient, impatient].entries()) {
          peaks.inFlight[i] = Math.max(
            peaks.inFlight[i]!,
            await metricValue(svc.opsUrl, 'simstream_ingest_in_flight_bytes'),
          );
          peaks.rss[i] = Math.max(
            peaks.rss[i]!,
            await metricValue(svc.opsUrl, 'simstream_process_resident_memory_bytes'),
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      await until(() => all.every((u) => u.acked.size >= 50), 60_000, '50 acks per stream');
      await stop('kafka');
      const stoppedAt = Date.now();
      // Not ready while Kafka is gone.
      await until(
        async () => (await fetch(`${patient.opsUrl}/readyz`)).status === 503,
        20_000,
        'patient instance not ready',
      );
      await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - stoppedAt))));
      await start('kafka');
      await Promise.all(all.map((u) => u.done));
    } finally {
      sampling = false;
      await sampler;
      clients.forEach((c) => c.close());
      await Promise.all([patient.stop(), impatient.stop()]);
    }
    await checkDelivered(kafka, from, all, FRAMES, ELEMENTS);
    // The patient instance keeps a stream through the outage unless the outage broke a commit
    // in flight: kafkajs cannot retry a commit, and a simulation's writer never starts a new
    // epoch by itself (that could fence a newer stream), so the stream ends UNAVAILABLE and resumes.
    for (const error of survivors.flatMap((u) => u.reconnectErrors)) expect(error).toMatch(/UNAVAILABLE/);
    // The impatient one ended them with UNAVAILABLE; the clients resumed.
    for (const u of resumers) {
      expect(u.uploader.stats.reconnects).toBeGreaterThanOrEqual(1);
      expect(u.reconnectErrors.join('\n')).toMatch(/UNAVAILABLE|no successful write/);
    }
    // Bounded: in-flight bytes never beyond the process budget plus one frame per stream.
    for (const i of [0, 1])
      expect(peaks.inFlight[i]!).toBeLessThanOrEqual(8 * 1024 * 1024 + 2 * 2 * ELEMENTS * 4);
    for (const i of [0, 1]) expect(peaks.rss[i]!).toBeLessThan(400 * 1024 * 1024);
  });
});
