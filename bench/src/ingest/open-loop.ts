/**
 * Ack latency under a fixed offered load (open loop): frames are due at fixed times whatever the
 * acks do, spread over the streams, and latency is measured from when a frame was due to its ack
 * — so time a frame waited because the client was held back counts too (no coordinated
 * omission). Run at fractions of the measured maximum, this is the latency curve of the path.
 */
import { benchClients, benchFrame, benchUploader, type FullPathTarget } from './full-path.js';
import { percentile, round } from './stats.js';

export interface OpenLoopPoint {
  /** Fraction of the measured maximum offered. */
  readonly load: number;
  readonly offeredMbPerSecond: number;
  readonly achievedMbPerSecond: number;
  readonly frames: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
}

export async function openLoop(
  target: FullPathTarget,
  payload: Buffer,
  maxMbPerSecond: number,
  load: number,
  seconds: number,
  streams: number,
  run: string,
): Promise<OpenLoopPoint> {
  const framesPerSecond = (maxMbPerSecond * load * 1e6) / payload.length;
  const frames = Math.max(streams, Math.round(framesPerSecond * seconds));
  const perStream = Math.ceil(frames / streams);
  const intervalMs = (1000 * streams) / framesPerSecond; // between two frames of one stream
  const clients = benchClients(target, streams);
  const latencies: number[] = [];
  let started = 0;
  try {
    const uploaders = await Promise.all(
      clients.map(async (client, i) => {
        const due = new Map<number, number>();
        const window = { bytes: Math.max(64 * 1024 * 1024, 4 * payload.length), frames: 4096 };
        const uploader = benchUploader(
          client,
          `bench-open-${run}-${payload.length}-${i}`,
          window,
          due,
          latencies,
        );
        await uploader.start();
        return { uploader, due, offset: (i * intervalMs) / streams };
      }),
    );
    started = performance.now();
    await Promise.all(
      uploaders.map(async ({ uploader, due, offset }) => {
        for (let step = 0; step < perStream; step++) {
          const at = started + offset + step * intervalMs;
          const wait = at - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          due.set(step, at);
          await uploader.send(benchFrame(step, payload));
        }
        await uploader.close();
      }),
    );
  } finally {
    clients.forEach((c) => c.close());
  }
  const elapsed = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    load,
    offeredMbPerSecond: round(maxMbPerSecond * load, 1),
    achievedMbPerSecond: round((perStream * streams * payload.length) / elapsed / 1e6, 1),
    frames: perStream * streams,
    latencyP50Ms: round(percentile(sorted, 50), 2),
    latencyP99Ms: round(percentile(sorted, 99), 2),
    latencyMaxMs: round(sorted.at(-1) ?? Number.NaN, 2),
  };
}
