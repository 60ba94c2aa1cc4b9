/**
 * The full path: TypeScript client → gRPC StreamFrames → ingestion (validation, Avro,
 * transactional produce, acks=all) → Kafka, ack back. Latency is from handing a frame to the
 * gRPC stream to receiving its ack.
 */
import { FrameUploader, IngestionClient } from '@simstream/client';
import { throughput, type Throughput } from './stats.js';

/** Where and as whom the client connects: ingestion's public port, TLS, an API key. */
export interface FullPathTarget {
  readonly address: string;
  readonly apiKey: string;
  readonly caFile: string;
}

/** One client connection per stream to the target (no shared subchannel: one HTTP/2 connection each). */
export function benchClients(target: FullPathTarget, streams: number): IngestionClient[] {
  return Array.from(
    { length: streams },
    () => new IngestionClient({ ...target, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } }),
  );
}

/**
 * An uploader of bench frames: `latencies` gets, per ack, the time since `t.get(step)` (the
 * caller records when each step was sent, or was due); a rejection fails the bench.
 */
export function benchUploader(
  client: IngestionClient,
  simulationId: string,
  window: { bytes: number; frames: number },
  t: Map<number, number>,
  latencies: number[],
): FrameUploader {
  return new FrameUploader(client, {
    simulationId,
    maxUnackedBytes: window.bytes,
    maxUnackedFrames: window.frames,
    onAck: (ack) => {
      const at = t.get(ack.step);
      if (at !== undefined) latencies.push(performance.now() - at);
      t.delete(ack.step);
    },
    onReject: (r) => {
      throw new Error(`bench frame rejected: ${r.reason} ${r.message}`);
    },
  });
}

/** The frame every bench sends: one uint8 field of the payload. */
export const benchFrame = (step: number, payload: Buffer) => ({
  step,
  fields: [{ name: 'payload', dtype: 'uint8' as const, shape: [payload.length], data: payload }],
});

export async function fullPath(
  target: FullPathTarget,
  payload: Buffer,
  frames: number,
  streams: number,
  run: string,
): Promise<Throughput & { streams: number }> {
  const clients = benchClients(target, streams);
  const latencies: number[] = [];
  const perStream = Math.ceil(frames / streams);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, i) => {
      const sentAt = new Map<number, number>();
      // Enough to keep the path busy; more would only add queueing to the measured latency.
      const window = { bytes: Math.max(8 * 1024 * 1024, 2 * payload.length), frames: 256 };
      const uploader = benchUploader(
        client,
        `bench-${run}-${payload.length}-${i}`,
        window,
        sentAt,
        latencies,
      );
      await uploader.start();
      for (let step = 0; step < perStream; step++) {
        await uploader.send(benchFrame(step, payload));
        sentAt.set(step, performance.now());
      }
      await uploader.close();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clients.forEach((c) => c.close());
  return {
    ...throughput(perStream * streams, perStream * streams * payload.length, seconds, latencies),
    streams,
  };
}
