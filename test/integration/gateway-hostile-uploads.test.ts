/**
 * Gateway: hostile upload bodies over HTTP. The regression corpus of @simstream/uploads (Arrow
 * headers with huge counts, the 8-byte Avro body, negative steps) and a 205 KB Avro deflate bomb
 * are answered with their documented codes, while the gateway keeps answering health probes
 * promptly: decoding runs in a worker, never on the event loop.
 * Ingestion is real (never reached by these bodies); query and quantum are test doubles.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateBomb, sampleArrow } from '@simstream/uploads/samples';
import { REPO_ROOT, metricValue, startIngestion, type IngestionProcess } from '../src/index.js';
import { QueryDouble, QuantumDouble } from './gateway-doubles.js';
import { bootstrapKey, call, startGateway, type GatewayProcess, mintKey } from './gateway-harness.js';

const run = randomBytes(3).toString('hex');
const CORPUS = path.join(REPO_ROOT, 'libs/uploads/corpus');
const TYPES = { arrow: 'application/vnd.apache.arrow.stream', avro: 'application/avro' } as const;

describe('gateway: hostile uploads', () => {
  const query = new QueryDouble();
  const quantum = new QuantumDouble();
  let ingestion: IngestionProcess;
  let gateway: GatewayProcess;
  let key = '';
  const admin = bootstrapKey();
  let gatewayEnv: Record<string, string> = {};

  beforeAll(async () => {
    ingestion = await startIngestion();
    gatewayEnv = {
      QUANTUM_ADDRESS: await quantum.start(),
      QUERY_ADDRESS: await query.start(),
      INGESTION_ADDRESS: ingestion.internalAddress,
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
    };
    gateway = await startGateway(gatewayEnv);
    key = await mintKey(gateway, admin, `th-${run}`, ['ingest']);
  });

  afterAll(async () => {
    await gateway?.stop();
    await ingestion?.stop();
    query.kill();
    quantum.stop();
  });

  const upload = (format: 'arrow' | 'avro', raw: Buffer) =>
    call(`${gateway.url}/v1/simulations/gw-hostile-${run}/frames`, { key, raw, type: TYPES[format] });

  it.each([
    ['arrow', 'custom-metadata-count.bin', 400, 'MALFORMED_ARROW'],
    ['arrow', 'dictionary-flag.bin', 400, 'MALFORMED_ARROW'],
    ['arrow', 'batch-length-2e30.bin', 400, 'MALFORMED_ARROW'],
    ['arrow', 'negative-step.bin', 400, 'INVALID_ARGUMENT'],
    ['avro', 'block-count-1e8.bin', 400, 'MALFORMED_AVRO'],
    ['avro', 'negative-step.bin', 400, 'INVALID_ARGUMENT'],
  ] as const)('answers %s/%s with %i %s within a second', async (format, file, status, code) => {
    const started = Date.now();
    const answer = await upload(format, readFileSync(path.join(CORPUS, format, file)));
    expect(answer.status).toBe(status);
    expect(answer.json.code).toBe(code);
    if (code === 'INVALID_ARGUMENT') expect(answer.json.violations?.[0]?.reason).toBe('STEP_INVALID');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('answers a deflate bomb 413 UPLOAD_DECODED_TOO_LARGE quoting the body limit, health probes answering meanwhile', async () => {
    const bomb = deflateBomb();
    let slowestProbeMs = 0;
    let probing = true;
    const probes = (async () => {
      while (probing) {
        const started = Date.now();
        await fetch(`${gateway.opsUrl}/healthz`);
        slowestProbeMs = Math.max(slowestProbeMs, Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const answers = await Promise.all([upload('avro', bomb), upload('avro', bomb)]);
    probing = false;
    await probes;
    for (const answer of answers) {
      expect(answer.status).toBe(413);
      expect(answer.json.code).toBe('UPLOAD_DECODED_TOO_LARGE');
      expect(answer.json.detail).toContain(String(64 * 2 ** 20)); // GATEWAY_MAX_BODY_BYTES
    }
    process.stdout.write(`slowest /healthz during two bomb uploads: ${slowestProbeMs} ms\n`);
    expect(slowestProbeMs).toBeLessThan(250);
  });

  it("keeps the gateway's event loop free under a hostile mix: corpus, bombs and random bytes, 4 at a time", async () => {
    const bodies: { format: 'arrow' | 'avro'; raw: Buffer }[] = [];
    for (const format of ['arrow', 'avro'] as const)
      for (const name of readdirSync(path.join(CORPUS, format)))
        bodies.push({ format, raw: readFileSync(path.join(CORPUS, format, name)) });
    bodies.push({ format: 'avro', raw: deflateBomb() });
    for (let i = 0; i < 40; i++)
      bodies.push({ format: i % 2 === 0 ? 'arrow' : 'avro', raw: randomBytes(1 + ((i * 7919) % 65_536)) });
    // prom-client's lag histogram restarts at every scrape: this one marks the start of the mix.
    await fetch(`${gateway.opsUrl}/metrics`);
    let next = 0;
    const answered: number[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < bodies.length * 3) {
          const body = bodies[next++ % bodies.length]!;
          answered.push((await upload(body.format, body.raw)).status);
        }
      }),
    );
    // One scrape for both figures (each scrape restarts the histogram).
    const scraped = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
    const lag = (name: string) =>
      Number(
        new RegExp(`^simstream_nodejs_eventloop_lag_${name}_seconds(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(
          scraped,
        )?.[1],
      );
    const [p99, max] = [lag('p99'), lag('max')];
    process.stdout.write(
      `hostile mix: ${answered.length} uploads, event-loop lag p99 ${(p99 * 1000).toFixed(1)} ms, max ${(max * 1000).toFixed(1)} ms\n`,
    );
    const statuses: Record<number, number> = {};
    for (const status of answered) statuses[status] = (statuses[status] ?? 0) + 1;
    process.stdout.write(`hostile mix statuses: ${JSON.stringify(statuses)}\n`);
    // Corpus files that once broke a decoder but hold valid frames are acked (200); the rest are
    // refused with their codes. Nothing is a server error, and the probes still answer.
    expect(answered.filter((status) => ![200, 400, 413, 422].includes(status))).toEqual([]);
    expect(p99).toBeLessThan(0.25);
    expect((await fetch(`${gateway.opsUrl}/healthz`)).status).toBe(200);
  });

  it('stops a decode past its deadline: 422 UPLOAD_DECODE_TIMEOUT, the worker replaced and counted', async () => {
    // A gateway whose deadline no body can meet: the path a hostile body would take.
    const strict = await startGateway({
      ...gatewayEnv,
      GATEWAY_DECODE_DEADLINE: '1ms',
      GATEWAY_DECODE_DEADLINE_PER_MIB: '0ms',
    });
    try {
      const body = sampleArrow(256, 16_384); // 16 MiB: tens of ms to decode
      const answer = await call(`${strict.url}/v1/simulations/gw-deadline-${run}/frames`, {
        key,
        raw: body,
        type: TYPES.arrow,
      });
      expect(answer.status).toBe(422);
      expect(answer.json.code).toBe('UPLOAD_DECODE_TIMEOUT');
      expect(await metricValue(strict.opsUrl, 'simstream_gateway_decode_workers_replaced_total')).toBe(1);
      expect((await fetch(`${strict.opsUrl}/healthz`)).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });
});
