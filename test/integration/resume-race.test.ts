/**
 * The resume race, for real: a client process streaming frames is SIGKILLed and the next client
 * process of the same simulation (already started) connects within milliseconds, while the dead
 * stream's frames are still in Kafka transactions — to the same ingestion process or to another
 * one. Many times over. Afterwards Kafka holds every (simulation, step) exactly once, in step
 * order, and the progress topic never goes back.
 *
 * Before per-simulation fencing this failed: the new stream was told a durable step that the
 * dead stream's in-flight writes then overtook, and the client resent dozens of steps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Progress } from '@simstream/contracts';
import { tls } from '@simstream/infra';
import { TopicName, type KafkaClient } from '@simstream/kafka';
import {
  apiKeyFor,
  endOffsets,
  readUntil,
  startIngestion,
  testKafka,
  type IngestionProcess,
} from '../src/index.js';

// The compiled client (vitest runs this file from source; `pnpm build` compiles test/ to dist).
const CLIENT = fileURLToPath(new URL('../dist/src/race-client.js', import.meta.url));
const ITERATIONS = Number(process.env.SIMSTREAM_RACE_ITERATIONS ?? 16);
const ELEMENTS = 16_384; // 64 x 64 float32: 16 KiB frames, as in the report
const SIMULATIONS = 2;

let apiKey = '';

interface Client {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly opened: Promise<number>;
  readonly done: Promise<number>;
  go(): void;
}

function startClient(address: string, simulationId: string, framesAfterResume?: number): Client {
  const args = [CLIENT, address, simulationId, String(ELEMENTS / 4)];
  if (framesAfterResume !== undefined) args.push(String(framesAfterResume));
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    // The client's credential, as a simulation code gets it: from its environment.
    env: { ...process.env, SIMSTREAM_API_KEY: apiKey, SIMSTREAM_CA_FILE: tls().caFile },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const messages = createInterface({ input: child.stdout });
  const waitFor = (key: string) =>
    new Promise<number>((resolve, reject) => {
      messages.on('line', (line) => {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (key in message) resolve(Number(message[key]));
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`client ${simulationId} exited (${code ?? signal}) before '${key}': ${stderr}`)),
      );
    });
  const opened = waitFor('opened');
  const done = waitFor('done');
  // A killed client never says 'done': that rejection is expected and handled by whoever waits.
  done.catch(() => undefined);
  opened.catch(() => undefined);
  return {
    process: child,
    ready: waitFor('ready').then(() => undefined),
    opened,
    done,
    go: () => child.stdin.write('go\n'),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('resume after a client crash, reconnecting at once', () => {
  let kafka: KafkaClient;
  let a: IngestionProcess;
  let b: IngestionProcess;
  beforeAll(async () => {
    apiKey = await apiKeyFor('default');
    kafka = testKafka();
    [a, b] = await Promise.all([startIngestion(), startIngestion()]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it(`never doubles a frame nor rolls progress back, over ${ITERATIONS} kills on one and across two instances`, async () => {
    const run = randomUUID().slice(0, 8);
    const sims = Array.from({ length: SIMULATIONS }, (_, i) => `race-${run}-${i}`);
    // A A B B A A ...: every other reconnect goes to the other ingestion process.
    const target = (i: number) => (i % 4 < 2 ? a : b).grpcAddress;
    const framesFrom = await endOffsets(kafka, TopicName.frames);
    const progressFrom = await endOffsets(kafka, TopicName.progress);

    let current = sims.map((sim) => startClient(target(0), sim));
    await Promise.all(current.map((c) => c.ready));
    const opened: number[][] = sims.map(() => []);
    for (let i = 0; i < ITERATIONS; i++) {
      for (const c of current) c.go();
      const steps = await Promise.all(current.map((c) => c.opened));
      steps.forEach((step, s) => opened[s]!.push(step));
      await sleep(150 + Math.random() * 450);
      const next = sims.map((sim) => startClient(target(i + 1), sim));
      await Promise.all(next.map((c) => c.ready));
      for (const c of current) c.process.kill('SIGKILL');
      current = next; // told to go at the top of the loop: microseconds after the kill
    }
    const final = current.map((c, s) => {
      c.process.kill('SIGKILL');
      return startClient(target(ITERATIONS), sims[s]!, 40);
    });
    await Promise.all(final.map((c) => c.ready));
    for (const c of final) c.go();
    const last = await Promise.all(final.map((c) => c.done));

    // Every client resumed where the previous ones had got to: the streams made progress.
    for (const steps of opened) expect(steps.at(-1)!).toBeGreaterThan(steps[0]!);

    const frames = await readUntil({
      kafka,
      topic: TopicName.frames,
      from: framesFrom,
      filter: (r) => sims.includes(r.key ?? ''),
      until: (rs) =>
        sims.every((sim, s) => rs.some((r) => r.key === sim && (r.value as Frame).step === last[s])),
      timeoutMs: 120_000,
    });
    const progress = await readUntil({
      kafka,
      topic: TopicName.progress,
      from: progressFrom,
      filter: (r) => sims.includes(r.key ?? ''),
      until: (rs) =>
        sims.every((sim, s) =>
          rs.some((r) => r.key === sim && (r.value as Progress).lastDurableStep === last[s]),
        ),
      timeoutMs: 120_000,
    });
    let duplicates = 0;
    for (const [s, sim] of sims.entries()) {
      const steps = frames.filter((r) => r.key === sim).map((r) => (r.value as Frame).step);
      duplicates += steps.length - new Set(steps).size;
      // Exactly once and in order: KafkaClient's order is 0, 1, 2, ... last.
      expect(steps).toEqual(Array.from({ length: last[s]! + 1 }, (_, i) => i));
      const durable = progress.filter((r) => r.key === sim).map((r) => (r.value as Progress).lastDurableStep);
      const backwards = durable.filter((step, i) => i > 0 && step < durable[i - 1]!);
      expect(backwards).toEqual([]);
      expect(durable.at(-1)).toBe(last[s]);
    }
    expect(duplicates).toBe(0);
    console.log(
      JSON.stringify({
        resumeRace: { iterations: ITERATIONS, simulations: SIMULATIONS, frames: frames.length, duplicates },
      }),
    );
  });
});
