/**
 * `pnpm bench e2e [--seconds 30] [--fps 10] [--grid 64]`: the whole system on the local
 * infrastructure. End-to-end latency of a frame — sent by the client → ingestion → Kafka →
 * spiking detector → Kafka → materializer → Postgres → pushed to a gateway SSE subscriber — at a
 * steady frame rate, p50/p99; and the gateway's result-query latency cached vs uncached.
 * The SSE stream opens before the simulation exists, as a dashboard opened before a run does
 * (`wait=true`, services/gateway/README.md). Fails, with the reason, unless every frame sent
 * came back as a result.
 *
 * Beside it, on the same run: frame sent → its analysis event received by the sending client on
 * its own StreamFrames stream (the stream opts in with anomaly threshold 0, so every frame has an
 * event: ingestion follows query's tail and pushes it between the acks).
 */
import { randomUUID } from 'node:crypto';
import { FrameUploader, IngestionClient } from '@simstream/client';
import { endpoints, up } from '@simstream/infra';
import { createKafkaClient, ensureTopics, topicDefinitions } from '@simstream/kafka';
import { messageOf } from '@simstream/errors';
import { createLogger } from '@simstream/observability';
import { createSimulation } from '@simstream/sims';
import { Stack } from '@simstream/stack';
import { BenchIncompleteError } from './incomplete.js';
import { percentile, round } from './ingest/stats.js';

const log = (line: string) => process.stderr.write(`[bench e2e] ${line}\n`);

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

function summary(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    n: ms.length,
    p50Ms: round(percentile(sorted, 50), 1),
    p99Ms: round(percentile(sorted, 99), 1),
    maxMs: round(sorted.at(-1) ?? Number.NaN, 1),
  };
}

/** Opens an SSE stream; throws unless the gateway answers 200 with a body. */
async function openStream(
  url: string,
  key: string,
  signal: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
    signal,
  });
  if (!res.ok || res.body === null) throw new Error(`SSE ${url}: ${res.status} ${await res.text()}`);
  return res.body;
}

/**
 * Reads `event: result` messages and calls back with each result's step until `signal` aborts;
 * an `event: error` (the gateway gave up on the stream) or a stream that ends is an error.
 */
async function readResults(
  body: ReadableStream<Uint8Array>,
  onStep: (step: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: error$/m.test(message)) throw new Error(`SSE error event: ${message}`);
        if (!/^event: result$/m.test(message)) continue;
        const id = /^id: (\d+)$/m.exec(message);
        if (id !== null) onStep(Number(id[1]));
      }
    }
  } catch (error) {
    if (signal.aborted) return; // we closed it
    throw error;
  }
  if (!signal.aborted) throw new Error('the SSE stream ended before the bench closed it');
}

export default async function e2eBench(args: string[]): Promise<unknown> {
  const seconds = arg(args, '--seconds', 30);
  const fps = arg(args, '--fps', 10);
  const grid = arg(args, '--grid', 64);
  await up();
  const e = endpoints();
  const logger = createLogger({ service: 'bench', level: 'error', destination: process.stderr });
  const kafka = createKafkaClient({ brokers: e.kafkaBrokers, clientId: 'simstream-bench' }, logger);
  await ensureTopics(kafka, topicDefinitions(), logger);
  const tenant = `bench-${randomUUID().slice(0, 8)}`;
  log('starting the five services');
  const stack = await Stack.create(kafka, { tenants: [tenant] });
  try {
    const created = await fetch(`${stack.gatewayUrl}/v1/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', scopes: ['ingest', 'read'], tenant }),
    });
    const key = ((await created.json()) as { secret: string }).secret;
    const simulationId = `bench-e2e-${tenant}`;
    const sentAt = new Map<number, number>();
    const sentAtForEvents = new Map<number, number>();
    const eventLatency = new Map<number, number>();
    const latencies: number[] = [];
    const byStep: { step: number; ms: number }[] = [];
    const stop = new AbortController();
    const frames = seconds * fps;
    // Opened before the simulation's first frame (the gateway waits for it to start), from
    // step 0: nothing is missed while the run starts.
    const body = await openStream(
      `${stack.gatewayUrl}/v1/simulations/${simulationId}/results/stream?kind=neuromorphic&from_step=0&wait=true`,
      key,
      stop.signal,
    );
    let sseFailure: unknown;
    const sse = readResults(
      body,
      (step) => {
        const t = sentAt.get(step);
        if (t !== undefined) {
          latencies.push(performance.now() - t);
          byStep.push({ step, ms: round(performance.now() - t, 1) });
        }
        sentAt.delete(step);
      },
      stop.signal,
    ).catch((error: unknown) => {
      // Kept and thrown below: the frame loop stops at once instead of measuring nothing.
      sseFailure = error;
    });
    const failIfStreamFailed = () => {
      if (sseFailure !== undefined)
        throw new BenchIncompleteError(
          latencies.length,
          frames,
          `the result stream failed: ${messageOf(sseFailure)}`,
          sseFailure,
        );
    };

    log(`streaming Gray–Scott ${grid}×${grid} at ${fps} frames/s for ${seconds} s`);
    const sim = createSimulation('gray-scott', { nx: grid, ny: grid, substeps: 10 });
    const client = new IngestionClient({
      address: stack.address('ingestion'),
      apiKey: key,
      caFile: stack.caFile,
    });
    const uploader = new FrameUploader(client, {
      simulationId,
      events: {
        kinds: ['anomaly'],
        anomalyThreshold: 0,
        onEvent: (event) => {
          const t = sentAtForEvents.get(event.step);
          if (t !== undefined && !eventLatency.has(event.step))
            eventLatency.set(event.step, performance.now() - t);
        },
      },
    });
    await uploader.start();
    const t0 = performance.now();
    for (let i = 0; i < frames; i++) {
      failIfStreamFailed();
      const due = t0 + (i * 1000) / fps;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const step = sim.step;
      const now = performance.now();
      sentAt.set(step, now);
      sentAtForEvents.set(step, now);
      await uploader.send({
        step,
        simTime: sim.time,
        fields: sim.fields().map((f) => ({ name: f.name, dtype: f.dtype, shape: f.shape, data: f.data })),
      });
      sim.advance();
    }
    await uploader.flush();
    // The stream stays open until every frame's event came (the server sends none after the end).
    const eventDeadline = Date.now() + 60_000;
    while (eventLatency.size < frames && Date.now() < eventDeadline)
      await new Promise((r) => setTimeout(r, 100));
    await uploader.close();
    client.close();
    if (eventLatency.size < frames)
      throw new BenchIncompleteError(
        eventLatency.size,
        frames,
        `${frames - eventLatency.size} frames sent had no analysis event at the client within 60 s of the last send`,
      );
    const deadline = Date.now() + 60_000;
    while (sentAt.size > 0 && Date.now() < deadline && sseFailure === undefined)
      await new Promise((r) => setTimeout(r, 100));
    stop.abort();
    await sse;
    failIfStreamFailed();
    if (latencies.length < frames)
      throw new BenchIncompleteError(
        latencies.length,
        frames,
        `${frames - latencies.length} frames sent had no result at the SSE subscriber within 60 s of the last send`,
      );

    log('query latency through the gateway');
    const timed = async (path: string) => {
      const t = performance.now();
      const res = await fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      return performance.now() - t;
    };
    const base = `/v1/simulations/${simulationId}/results?kind=neuromorphic&limit=100`;
    for (let i = 0; i < 20; i++) await timed(base); // warm: connections, JIT, cache filled
    const cached: number[] = [];
    const uncached: number[] = [];
    for (let i = 0; i < 200; i++) {
      cached.push(await timed(base));
      // A range never asked before: a miss in both cache levels, served by Postgres.
      uncached.push(
        await timed(
          `${base}&from_step=${(i % (frames - 1)) * 10}&to_step=${(i % (frames - 1)) * 10 + 1000 + i}`,
        ),
      );
    }
    return {
      description:
        'End to end: client send → ingestion (Kafka transaction) → neuromorphic (spiking detector, WASM) → Kafka → query materializer (Postgres, InfluxDB) → gateway SSE subscriber. frameToEvent: the same frame → its anomaly event back at the sending client on its StreamFrames stream (query tail → ingestion). Query: GET 100 results through the gateway (API key auth, breaker, gRPC to query).',
      frames,
      fps,
      grid: `${grid}x${grid}`,
      framesWithResult: latencies.length,
      endToEnd: summary(latencies),
      // The start: the stream waited for the simulation to appear, consumers were still warm-up.
      endToEndAfterFirstSecond: summary(
        [...byStep]
          .sort((a, b) => a.step - b.step)
          .slice(fps)
          .map((x) => x.ms),
      ),
      slowest: [...byStep].sort((a, b) => b.ms - a.ms).slice(0, 5),
      frameToEvent: summary([...eventLatency.values()]),
      frameToEventAfterFirstSecond: summary(
        [...eventLatency.entries()]
          .sort((a, b) => a[0] - b[0])
          .slice(fps)
          .map(([, ms]) => ms),
      ),
      slowestEvents: [...eventLatency.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([step, ms]) => ({ step, ms: round(ms, 1) })),
      queryCached: summary(cached),
      queryUncached: summary(uncached),
      ratioUncachedToCachedP50: round(
        percentile(
          [...uncached].sort((a, b) => a - b),
          50,
        ) /
          percentile(
            [...cached].sort((a, b) => a - b),
            50,
          ),
        2,
      ),
    };
  } finally {
    await stack.stop();
  }
}
