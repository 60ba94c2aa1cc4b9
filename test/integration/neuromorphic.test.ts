/**
 * The neuromorphic service on the real stack: Gray–Scott frames through ingestion give exactly
 * one result per frame on a clean run; after a kill -9 mid-run and a restart every (simulation,
 * step) has a result, re-published ones are identical, and the whole set equals what an
 * uninterrupted instance computes from the same frames (the restart resumed from checkpoints,
 * it did not re-learn); graceful shutdown leaves each simulation's checkpoint at its last step.
 *
 * Isolation from other tests on the shared broker and database: the service serves only this
 * run's tenant, its consumer group starts at the end of the frames topic, and its checkpoints go
 * to a schema of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameUploader, type IngestionClient } from '@simstream/client';
import type { NeuromorphicResult } from '@simstream/contracts';
import { endpoints } from '@simstream/infra';
import { TopicName, type ConsumedRecord, type KafkaClient } from '@simstream/kafka';
import { createSimulation } from '@simstream/sims';
import { createPool, type Pool } from '@simstream/storage';
import {
  endOffsets,
  metricValue,
  readUntil,
  startIngestion,
  startService,
  testKafka,
  type IngestionProcess,
  type ServiceProcess,
  ingestionClientFor,
} from '../src/index.js';

const SIMS = 3;
const CLEAN_FRAMES = 30;
const TOTAL_FRAMES = 100;
const PROCESSED = 'simstream_neuromorphic_frames_processed_total';

/** Every field but the timing ones, which differ from one processing to the next. */
function deterministic(r: NeuromorphicResult): unknown {
  const { processingMs: _p, producedAt: _t, ...rest } = r;
  return rest;
}

const keyOf = (r: NeuromorphicResult) => `${r.simulationId}@${r.step}`;

describe('neuromorphic service', () => {
  const run = randomUUID().slice(0, 8);
  const tenant = `neuro-${run}`;
  const simulations = Array.from({ length: SIMS }, (_, i) => `neuro-${run}-${i}`);
  const schemas = [`neuro_${run}`, `neuro_ref_${run}`];
  let kafka: KafkaClient;
  let pool: Pool;
  let ingestion: IngestionProcess;
  const services: ServiceProcess[] = [];

  const databaseUrl = (schema: string) => {
    const url = new URL(endpoints().databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  };

  /** A consumer group that starts at `offsets` of the frames topic (not at its beginning). */
  async function positionGroup(groupId: string, offsets: Map<number, number>): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setGroupOffsets(groupId, TopicName.frames, offsets);
    } finally {
      await admin.disconnect();
    }
  }

  async function startNeuromorphic(group: string, schema: string): Promise<ServiceProcess> {
    const service = await startService({
      name: 'neuromorphic',
      main: 'services/neuromorphic/dist/main.js',
      env: {
        KAFKA_BROKERS: endpoints().kafkaBrokers.join(','),
        DATABASE_URL: databaseUrl(schema),
        INSTANCE_ID: `test-${run}`,
        LOG_LEVEL: 'info',
        SIMSTREAM_TF_BACKEND: 'wasm',
        NEURO_CONSUMER_GROUP: group,
        NEURO_TENANTS: tenant,
        NEURO_CHECKPOINT_EVERY: '20',
        // The broker's minimum: a killed member's partitions move after 6 s, not 30.
        NEURO_SESSION_TIMEOUT: '6s',
      },
    });
    services.push(service);
    return service;
  }

  /** Streams frames [from, to) of every simulation (Gray–Scott 64 × 64, two fields), `fps` each. */
  async function stream(client: IngestionClient, from: number, to: number, fps = 0): Promise<void> {
    await Promise.all(
      simulations.map(async (simulationId, i) => {
        const sim = createSimulation('gray-scott', { nx: 64, ny: 64, substeps: 5, seed: i + 1 });
        sim.advance(from);
        const uploader = new FrameUploader(client, {
          simulationId,
          onReject: (r) => {
            throw new Error(`unexpected rejection ${r.reason}: ${r.message}`);
          },
        });
        await uploader.start();
        for (let n = from; n < to; n++) {
          await uploader.send({ step: n, simTime: sim.time, fields: sim.fields() });
          sim.advance();
          if (fps > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / fps));
        }
        await uploader.close();
      }),
    );
  }

  const ours = (r: ConsumedRecord) => simulations.includes(r.key ?? '');
  const results = (records: readonly ConsumedRecord[]) => records.map((r) => r.value as NeuromorphicResult);
  const distinct = (records: readonly ConsumedRecord[]) => new Set(results(records).map(keyOf)).size;

  beforeAll(async () => {
    kafka = testKafka();
    pool = createPool({ url: endpoints().databaseUrl });
    for (const schema of schemas) await pool.query(`CREATE SCHEMA ${schema}`);
    ingestion = await startIngestion();
  });
  afterAll(async () => {
    for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) await s.kill9();
    await ingestion?.stop();
    for (const schema of schemas) await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool?.end();
  });

  it('one result per frame; after kill -9 every step covered, replays identical, same as an uninterrupted run', async () => {
    const group = `simstream-neuromorphic-test-${run}`;
    const framesStart = await endOffsets(kafka, TopicName.frames);
    await positionGroup(group, framesStart);
    let service = await startNeuromorphic(group, schemas[0]!);
    const client = await ingestionClientFor(ingestion.grpcAddress, tenant);

    // Clean run: exactly one result per frame, and nothing more is ever produced for them.
    const cleanFrom = await endOffsets(kafka, TopicName.neuromorphicResults);
    await stream(client, 0, CLEAN_FRAMES);
    const clean = await readUntil({
      kafka,
      topic: TopicName.neuromorphicResults,
      from: cleanFrom,
      filter: ours,
      until: (rs) => distinct(rs) === SIMS * CLEAN_FRAMES,
      timeoutMs: 30_000,
    });
    expect(clean).toHaveLength(SIMS * CLEAN_FRAMES);
    expect(await metricValue(service.opsUrl, PROCESSED)).toBe(SIMS * CLEAN_FRAMES);
    expect(await metricValue(service.opsUrl, 'simstream_neuromorphic_results_published_total')).toBe(
      SIMS * CLEAN_FRAMES,
    );
    for (const simulationId of simulations) {
      const mine = results(clean).filter((r) => r.simulationId === simulationId);
      expect(mine.map((r) => r.step)).toEqual(Array.from({ length: CLEAN_FRAMES }, (_, i) => i));
      expect(mine[0]).toMatchObject({
        backend: 'wasm',
        featureNames: expect.arrayContaining(['u.mean', 'v.cx']),
      });
    }

    // kill -9 half way through the rest, restart, let the uploads finish.
    const uploads = stream(client, CLEAN_FRAMES, TOTAL_FRAMES, 40);
    const killAt = SIMS * (CLEAN_FRAMES + (TOTAL_FRAMES - CLEAN_FRAMES) / 2);
    while ((await metricValue(service.opsUrl, PROCESSED)) < killAt) {
      expect(service.child.exitCode).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await service.kill9();
    service = await startNeuromorphic(group, schemas[0]!);
    await uploads;
    client.close();
    const all = await readUntil({
      kafka,
      topic: TopicName.neuromorphicResults,
      from: cleanFrom,
      filter: ours,
      until: (rs) => distinct(rs) === SIMS * TOTAL_FRAMES,
      timeoutMs: 60_000,
    });
    const byKey = new Map<string, NeuromorphicResult[]>();
    for (const r of results(all)) byKey.set(keyOf(r), [...(byKey.get(keyOf(r)) ?? []), r]);
    expect(byKey.size).toBe(SIMS * TOTAL_FRAMES);
    let replayed = 0;
    for (const copies of byKey.values()) {
      replayed += copies.length - 1;
      for (const copy of copies.slice(1)) expect(deterministic(copy)).toEqual(deterministic(copies[0]!));
    }
    // The restart resumed from checkpoints: per simulation at most the frames since its last one
    // (under CHECKPOINT_EVERY plus a batch) were redone, not all ~65 since step 0.
    expect(replayed).toBeLessThan(SIMS * 40);
    const restored = await metricValue(service.opsUrl, 'simstream_neuromorphic_checkpoints_loaded_total', {
      outcome: 'restored',
    });
    expect(restored).toBe(SIMS);

    // Graceful stop: checkpoints at the last step of every simulation.
    expect(await service.stop()).toBe(0);
    const rows = await pool.query<{ simulation_id: string; step: string; model: string }>(
      `SELECT simulation_id, step, model FROM ${schemas[0]}.detector_checkpoints ORDER BY simulation_id`,
    );
    expect(rows.rows.map((r) => [r.simulation_id, Number(r.step)])).toEqual(
      simulations.map((s) => [s, TOTAL_FRAMES - 1]),
    );

    // An uninterrupted instance over the same frames computes exactly the same results.
    const referenceGroup = `${group}-reference`;
    await positionGroup(referenceGroup, framesStart);
    const referenceFrom = await endOffsets(kafka, TopicName.neuromorphicResults);
    const reference = await startNeuromorphic(referenceGroup, schemas[1]!);
    const expected = await readUntil({
      kafka,
      topic: TopicName.neuromorphicResults,
      from: referenceFrom,
      filter: ours,
      until: (rs) => rs.length >= SIMS * TOTAL_FRAMES,
      timeoutMs: 60_000,
    });
    await reference.stop();
    expect(expected).toHaveLength(SIMS * TOTAL_FRAMES);
    for (const r of results(expected))
      expect(deterministic(byKey.get(keyOf(r))![0]!)).toEqual(deterministic(r));
    console.log(`neuromorphic: ${replayed} results re-published after kill -9, all identical`);
  });
});
