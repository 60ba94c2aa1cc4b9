/**
 * Gateway: frames in. Uploads over HTTP as JSON, as an Arrow IPC stream written by pyarrow and as
 * an Avro container file written by fastavro reach Kafka through the REAL ingestion service,
 * byte for byte, under the caller's tenant, with one answer per frame; resending is harmless;
 * a simulation id belongs to the first tenant that uploads to it.
 * The query and quantum services are test doubles at the network boundary (gateway-harness.ts);
 * Postgres, Redis, Kafka and ingestion are real.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '@simstream/contracts';
import { TopicName, type KafkaClient } from '@simstream/kafka';
import {
  REPO_ROOT,
  endOffsets,
  pythonWith,
  readUntil,
  startIngestion,
  testKafka,
  type IngestionProcess,
} from '../src/index.js';
import { QueryDouble, QuantumDouble } from './gateway-doubles.js';
import { bootstrapKey, call, startGateway, type GatewayProcess, mintKey } from './gateway-harness.js';

const exec = promisify(execFile);
const run = randomBytes(3).toString('hex');
const TENANT_A = `ta-${run}`;
const TENANT_B = `tb-${run}`;
const SIM_JSON = `gw-json-${run}`;
const SIM_ARROW = `gw-arrow-${run}`;
const SIM_AVRO = `gw-avro-${run}`;
const ARROW = 'application/vnd.apache.arrow.stream';

const f32 = (...xs: number[]) => Buffer.from(new Float32Array(xs).buffer);

const WRITE_ARROW = `
import struct, sys, pyarrow as pa
rows = 4
schema = pa.schema([
    pa.field("step", pa.int64()), pa.field("sim_time", pa.float64()), pa.field("attributes", pa.string()),
    pa.field("u", pa.binary(), metadata={"dtype": "float32", "shape": "[2,3]"}),
    pa.field("p", pa.list_(pa.float64())),
])
table = pa.table({
    "step": list(range(rows)), "sim_time": [s * 0.1 for s in range(rows)],
    "attributes": ['{"src":"pyarrow"}'] * rows,
    "u": [struct.pack("<6f", *[s * 10 + i for i in range(6)]) for s in range(rows)],
    "p": [[float(s), s + 0.5] for s in range(rows)],
}, schema=schema)
with pa.OSFile(sys.argv[1], "wb") as f:
    with pa.ipc.new_stream(f, schema) as w:
        w.write_table(table)
`;

const WRITE_AVRO = `
import json, struct, sys, fastavro
schema = fastavro.parse_schema(json.load(open(sys.argv[2])))
records = [{"frameId": "f%d" % s, "simulationId": sys.argv[3], "step": s, "simTime": s * 0.1,
            "fields": [{"name": "u", "dtype": "float32", "shape": [4], "codec": "none",
                        "data": struct.pack("<4f", s, s + 1, s + 2, s + 3)}],
            "attributes": {"src": "fastavro"}, "ingestedAt": 0, "tenant": "ignored"} for s in range(3)]
with open(sys.argv[1], "wb") as f:
    fastavro.writer(f, schema, records, codec="deflate")
`;

describe('gateway: frame uploads', () => {
  const query = new QueryDouble();
  const quantum = new QuantumDouble();
  let ingestion: IngestionProcess;
  let gateway: GatewayProcess;
  let kafka: KafkaClient;
  let keyA = '';
  let keyB = '';
  let arrowBody: Buffer;
  let avroBody: Buffer;
  let gatewayEnv: Record<string, string> = {};

  beforeAll(async () => {
    const python = await pythonWith(['pyarrow==26.0.1', 'fastavro==1.13.1']);
    const dir = os.tmpdir();
    const arrowFile = path.join(dir, `gw-${run}.arrow`);
    const avroFile = path.join(dir, `gw-${run}.avro`);
    const schema = path.join(REPO_ROOT, 'libs/contracts/avro/frame.v2.avsc');
    await Promise.all([
      exec(python, ['-c', WRITE_ARROW, arrowFile]),
      exec(python, ['-c', WRITE_AVRO, avroFile, schema, SIM_AVRO]),
    ]);
    arrowBody = readFileSync(arrowFile);
    avroBody = readFileSync(avroFile);
    kafka = testKafka();
    ingestion = await startIngestion();
    const admin = bootstrapKey();
    gatewayEnv = {
      QUANTUM_ADDRESS: await quantum.start(),
      INGESTION_ADDRESS: ingestion.internalAddress,
      GATEWAY_BOOTSTRAP_ADMIN_KEY: admin,
      GATEWAY_OPERATOR_TENANT: `op-${run}`,
    };
    gateway = await startGateway({ ...gatewayEnv, QUERY_ADDRESS: await query.start() });
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

  it('passes JSON, Arrow (pyarrow) and Avro (fastavro) uploads through ingestion into Kafka, byte for byte, as the caller’s tenant', async () => {
    const from = await endOffsets(kafka, TopicName.frames);
    const json = await call(`${gateway.url}/v1/simulations/${SIM_JSON}/frames`, {
      key: keyA,
      json: {
        frames: [
          {
            step: 0,
            sim_time: 0,
            attributes: { src: 'json' },
            fields: [{ name: 'u', dtype: 'float32', shape: [2], data: f32(1, 2).toString('base64') }],
          },
          {
            step: 1,
            sim_time: 0.1,
            fields: [{ name: 'u', dtype: 'float32', shape: [3], data: f32(1, 2).toString('base64') }],
          },
          {
            step: 2,
            sim_time: 0.2,
            simulation_id: 'somebody-else',
            fields: [{ name: 'u', dtype: 'float32', shape: [2], data: f32(5, 6).toString('base64') }],
          },
          {
            step: 3,
            sim_time: 0.3,
            fields: [{ name: 'u', dtype: 'float32', shape: [2], data: f32(3, 4).toString('base64url') }],
          },
        ],
      },
    });
    expect(json.status).toBe(200);
    expect(json.json).toMatchObject({
      simulation_id: SIM_JSON,
      format: 'json',
      accepted: 2,
      rejected: 2,
      last_durable_step: 3,
    });
    expect(json.json.results!.map((r) => r.code ?? r.status)).toEqual([
      'acked',
      'SHAPE_MISMATCH',
      'SIMULATION_ID_MISMATCH',
      'acked',
    ]);
    expect(json.json.results![1]).toMatchObject({
      retriable: false,
      violations: [expect.objectContaining({ reason: 'SHAPE_MISMATCH' })],
    });
    expect(json.json.results![0]).toMatchObject({
      partition: expect.any(Number),
      offset: expect.any(Number),
      chunks: 1,
    });

    const arrow = await call(`${gateway.url}/v1/simulations/${SIM_ARROW}/frames`, {
      key: keyA,
      raw: arrowBody,
      type: ARROW,
    });
    expect(arrow.status, JSON.stringify(arrow.json)).toBe(200);
    expect(arrow.json).toMatchObject({ format: 'arrow', accepted: 4, rejected: 0, last_durable_step: 3 });
    const avro = await call(`${gateway.url}/v1/simulations/${SIM_AVRO}/frames`, {
      key: keyA,
      raw: avroBody,
      type: 'application/avro',
    });
    expect(avro.status, JSON.stringify(avro.json)).toBe(200);
    expect(avro.json).toMatchObject({ format: 'avro', accepted: 3, rejected: 0 });

    const ours = new Set([SIM_JSON, SIM_ARROW, SIM_AVRO]);
    const records = await readUntil({
      kafka,
      topic: TopicName.frames,
      from,
      filter: (r) => ours.has(r.key ?? ''),
      until: (rs) => rs.length >= 9,
      timeoutMs: 60_000,
    });
    const frames = records.map((r) => r.value as Frame);
    expect(frames).toHaveLength(9);
    expect(new Set(frames.map((f) => f.tenant))).toEqual(new Set([TENANT_A]));
    const byId = (id: string) => frames.filter((f) => f.simulationId === id);
    expect(byId(SIM_JSON).map((f) => [f.step, f.fields[0]!.data])).toEqual([
      [0, f32(1, 2)],
      [3, f32(3, 4)],
    ]);
    expect(byId(SIM_JSON)[0]!.attributes).toEqual({ src: 'json' });
    const arrowFrames = byId(SIM_ARROW);
    expect(arrowFrames.map((f) => f.step)).toEqual([0, 1, 2, 3]);
    expect(arrowFrames[2]!.fields).toEqual([
      { name: 'u', dtype: 'float32', shape: [2, 3], codec: 'none', data: f32(20, 21, 22, 23, 24, 25) },
      {
        name: 'p',
        dtype: 'float64',
        shape: [2],
        codec: 'none',
        data: Buffer.from(new Float64Array([2, 2.5]).buffer),
      },
    ]);
    expect(arrowFrames[2]!.attributes).toEqual({ src: 'pyarrow' });
    expect(arrowFrames[2]!.simTime).toBeCloseTo(0.2);
    expect(byId(SIM_AVRO).map((f) => [f.step, f.fields[0]!.data, f.attributes.src])).toEqual(
      [0, 1, 2].map((s) => [s, f32(s, s + 1, s + 2, s + 3), 'fastavro']),
    );

    // Resending is safe: what is durable comes back as STEP_NOT_INCREASING, nothing is doubled.
    const again = await call(`${gateway.url}/v1/simulations/${SIM_ARROW}/frames`, {
      key: keyA,
      raw: arrowBody,
      type: ARROW,
    });
    expect(again.json.results!.map((r) => r.code)).toEqual(Array(4).fill('STEP_NOT_INCREASING'));
    const metrics = await (await fetch(`${gateway.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /simstream_gateway_upload_frames_total\{[^}]*format="arrow"[^}]*outcome="acked"[^}]*\} 4/,
    );
  });

  it('lets only the first tenant upload to a simulation id', async () => {
    const body = {
      frames: [{ step: 10, sim_time: 1, fields: [{ name: 'u', dtype: 'uint8', shape: [1], data: 'AA==' }] }],
    };
    const taken = await call(`${gateway.url}/v1/simulations/${SIM_JSON}/frames`, { key: keyB, json: body });
    expect(taken.status).toBe(409);
    expect(taken.json.code).toBe('SIMULATION_ID_UNAVAILABLE');
    expect(
      (await call(`${gateway.url}/v1/simulations/${SIM_JSON}/frames`, { key: keyA, json: body })).json
        .accepted,
    ).toBe(1);
    expect(
      (
        await call(`${gateway.url}/v1/simulations/gw-malformed-${run}/frames`, {
          key: keyA,
          raw: Buffer.from('Obj\x01garbage'),
          type: 'application/avro',
        })
      ).json.code,
    ).toBe('MALFORMED_AVRO');
    expect(
      (
        await call(`${gateway.url}/v1/simulations/gw-malformed-${run}/frames`, {
          key: keyA,
          raw: Buffer.from('not arrow'),
          type: ARROW,
        })
      ).json.code,
    ).toBe('MALFORMED_ARROW');
  });

  it('gives a new id to exactly one tenant when two replicas race for it', async () => {
    const second = await startGateway({ ...gatewayEnv, QUERY_ADDRESS: `127.0.0.1:${query.port}` });
    try {
      const upload = (url: string, key: string, id: string) =>
        call(`${url}/v1/simulations/${id}/frames`, {
          key,
          json: {
            frames: [
              { step: 0, sim_time: 0, fields: [{ name: 'u', dtype: 'uint8', shape: [1], data: 'AQ==' }] },
            ],
          },
        });
      const ids = Array.from({ length: 6 }, (_, i) => `gw-race-${run}-${i}`);
      const outcomes = await Promise.all(
        ids.map(async (id) => {
          const [a, b] = await Promise.all([upload(gateway.url, keyA, id), upload(second.url, keyB, id)]);
          return [a.status, b.status].sort().join(' ');
        }),
      );
      expect(outcomes).toEqual(Array(6).fill('200 409'));
    } finally {
      await second.stop();
    }
  });
});
