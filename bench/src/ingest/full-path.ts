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

export async function fullPath(
  target: FullPathTarget,
  payload: Buffer,
  frames: number,
  streams: number,
  run: string,
): Promise<Throughput & { streams: number }> {
  const clients = Array.from(
    { length: streams },
    () => new IngestionClient({ ...target, channelOptions: { 'grpc.use_local_subchannel_pool': 1 } }),
  );
  const latencies: number[] = [];
  const perStream = Math.ceil(frames / streams);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, i) => {
      const sentAt = new Map<number, number>();
      const uploader = new FrameUploader(client, {
        simulationId: `bench-${run}-${payload.length}-${i}`,
        // Enough to keep the path busy; more would only add queueing to the measured latency.
        maxUnackedBytes: Math.max(8 * 1024 * 1024, 2 * payload.length),
        maxUnackedFrames: 256,
        onAck: (ack) => {
          const t = sentAt.get(ack.step);
          if (t !== undefined) latencies.push(performance.now() - t);
          sentAt.delete(ack.step);
        },
        onReject: (r) => {
          throw new Error(`bench frame rejected: ${r.reason} ${r.message}`);
        },
      });
      await uploader.start();
      for (let step = 0; step < perStream; step++) {
        await uploader.send({
          step,
          fields: [{ name: 'payload', dtype: 'uint8', shape: [payload.length], data: payload }],
        });
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
