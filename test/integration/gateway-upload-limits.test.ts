/**
 * Gateway: uploads one tenant cannot use against the others. Four slow-loris uploads of tenant A
 * (Content-Length 64 MiB, one byte a second) hold at most A's share of the upload budget (the
 * third and fourth get 429 TENANT_UPLOADS_BUSY at once), tenant B uploads meanwhile, and the
 * slow ones are cut with 408 UPLOAD_TOO_SLOW once the grace has passed (budget released: A
 * uploads again). Ingestion is real (Kafka behind it); query and quantum are test doubles.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startIngestion, type IngestionProcess } from '../src/index.js';
import { QueryDouble, QuantumDouble } from './gateway-doubles.js';
import { bootstrapKey, call, startGateway, type GatewayProcess, mintKey } from './gateway-harness.js';

const run = randomBytes(3).toString('hex');
const TENANT_A = `la-${run}`;
const TENANT_B = `lb-${run}`;
const GRACE_MS = 2000;

const f32 = (...xs: number[]) => Buffer.from(new Float32Array(xs).buffer);

interface SlowUpload {
  readonly answer: Promise<{ head: string; body: string; ms: number }>;
  stop(): void;
}

/** An upload declaring 64 MiB and sending one byte a second; resolves with the answer. */
function slowUpload(port: number, key: string, sim: string): SlowUpload {
  const started = performance.now();
  const socket = net.connect(port, '127.0.0.1');
  const timer = setInterval(() => socket.writable && socket.write('O'), 1000);
  const answer = new Promise<{ head: string; body: string; ms: number }>((resolve) => {
    let text = '';
    const done = () => {
      clearInterval(timer);
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ head, body, ms: Math.round(performance.now() - started) });
    };
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
  });
  socket.write(
    `POST /v1/simulations/${sim}/frames HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
      `Content-Type: application/avro\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`,
  );
  return { answer, stop: () => (clearInterval(timer), socket.destroy()) };
}

describe('gateway: upload budgets per tenant and a minimum rate', () => {
  const query = new QueryDouble();
  const quantum = new QuantumDouble();
  let ingestion: IngestionProcess;
  let gateway: GatewayProcess;
  let keyA = '';
  let keyB = '';

  beforeAll(async () => {
    ingestion = await startIngestion();
    const admin = bootstrapKey();
    gateway = await startGateway({
      QUERY_ADDRESS: await query.start(),
      QUANTUM_ADDRESS: await quantum.start(),
      INGESTION_ADDRESS: ingestion.internalAddress,
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
      GATEWAY_UPLOAD_MIN_RATE: '8KiB',
      GATEWAY_UPLOAD_GRACE: `${GRACE_MS}ms`,
    });
    const mint = (tenant: string) => mintKey(gateway, admin, tenant, ['ingest']);
    keyA = await mint(TENANT_A);
    keyB = await mint(TENANT_B);
  });

  afterAll(async () => {
    await gateway?.stop();
    await ingestion?.stop();
    query.kill();
    quantum.stop();
  });

  const upload = (key: string, sim: string) =>
    call(`${gateway.url}/v1/simulations/${sim}/frames`, {
      key,
      json: {
        frames: [
          {
            step: 0,
            sim_time: 0,
            fields: [{ name: 'u', dtype: 'float32', shape: [2], data: f32(1, 2).toString('base64') }],
          },
        ],
      },
    });

  it('keeps a slow tenant to its share, lets another upload meanwhile, and cuts the slow ones with 408', async () => {
    const slow = [0, 1, 2, 3].map((i) => slowUpload(gateway.httpPort, keyA, `slow-${run}-${i}`));
    // Whichever two arrive last find A's share taken: 429 at once, without sizes.
    const answered: { head: string; body: string; ms: number }[] = [];
    for (const s of slow) void s.answer.then((a) => answered.push(a));
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS - 500));
    const refused = [...answered];
    expect(refused).toHaveLength(2);
    for (const r of refused) {
      expect(r.head).toMatch(/^HTTP\/1.1 429/);
      expect(r.head.toLowerCase()).toMatch(/retry-after: \d+/);
      expect(r.body).toContain('"code":"TENANT_UPLOADS_BUSY"');
      expect((JSON.parse(r.body) as { detail: string }).detail).not.toMatch(/\d/);
    }
    const honestStarted = performance.now();
    const honest = await upload(keyB, `honest-${run}`);
    const honestMs = Math.round(performance.now() - honestStarted);
    expect(honest.status).toBe(200);
    expect(honest.json.accepted).toBe(1);

    await Promise.all(slow.map((s) => s.answer));
    const cut = answered.filter((r) => !refused.includes(r));
    expect(cut).toHaveLength(2);
    for (const c of cut) {
      expect(c.head).toMatch(/^HTTP\/1.1 408/);
      expect(c.head.toLowerCase()).toContain('content-type: application/problem+json');
      expect(c.body).toContain('"code":"UPLOAD_TOO_SLOW"');
      expect(c.ms).toBeGreaterThanOrEqual(GRACE_MS);
      expect(c.ms).toBeLessThan(GRACE_MS + 2000);
    }
    for (const s of slow) s.stop();
    console.log(
      `honest upload of tenant B: ${honestMs} ms while A's slow uploads ran; A's slow uploads cut after ${cut.map((c) => c.ms).join(', ')} ms; A's extra ones refused after ${refused.map((r) => r.ms).join(', ')} ms`,
    );
    // Released: A uploads again, and the gauge is back to zero.
    expect((await upload(keyA, `after-${run}`)).status).toBe(200);
    expect(await metricValue(gateway.opsUrl, 'simstream_gateway_upload_inflight_bytes')).toBe(0);
  });
});
