/**
 * Losing a broker: KafkaClient's promise that with replication 3 and min.insync.replicas 2 an acked
 * record survives the loss of its partition leader, shown on the local 3-node KRaft cluster
 * (SIMSTREAM_KAFKA_BROKERS=3, topics from the table with KAFKA_TOPIC_ENVIRONMENT=cluster).
 * Several simulations stream through ingestion; the leader of their partitions (then, in a
 * second run, the active controller) is SIGKILLed mid-stream and restarted seconds later. A
 * baseline run first kills nothing, so that what the kills change can be told apart.
 * Afterwards every acked (simulation, step) is in the frames topic exactly once (read_committed),
 * the streams finished by themselves, and Postgres holds one neuromorphic result per frame.
 * Run with `./dev test:chaos`; the results table goes to .data/chaos/broker-loss.{json,md}.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameUploader, type IngestionClient } from '@simstream/client';
import type { Frame } from '@simstream/contracts';
import { createInfra, kafkaNodeName, type Infra } from '@simstream/infra';
import {
  TopicName,
  partitionForKey,
  topicDefinitions,
  topicEnvironment,
  type ConsumedRecord,
  type KafkaClient,
} from '@simstream/kafka';
import { createPool, type Pool } from '@simstream/storage';
import {
  Stack,
  activeController,
  partitionStates,
  range,
  readUntil,
  renderChaosTable,
  simulationsLedBy,
  syntheticFrame,
  endOffsets,
  testKafka,
  topicConfig,
  waitForFullIsr,
  writeChaosReport,
  type ChaosRow,
  type PartitionState,
  ingestionClientFor,
} from '../src/index.js';

const SIMULATIONS = 4;
const FRAMES = 400;
const FRAME_INTERVAL_MS = 40; // 25 frames/s per simulation: the kill lands mid-stream
const KILL_AFTER_ACKS = 80; // per simulation
const DOWN_MS = 10_000;
const STREAMS_TIMEOUT_MS = 180_000;

type Scenario = 'baseline' | 'partition-leader' | 'controller';

const SCENARIO_TITLES: Record<Scenario, string> = {
  baseline: 'baseline (nothing killed)',
  'partition-leader': 'partition leader killed',
  controller: 'active controller killed',
};

interface Upload {
  readonly simulationId: string;
  readonly uploader: FrameUploader;
  readonly acked: Set<number>;
  readonly ackTimes: number[];
  readonly reconnectErrors: string[];
  done: Promise<void>;
}

function upload(client: IngestionClient, simulationId: string): Upload {
  const acked = new Set<number>();
  const ackTimes: number[] = [];
  const reconnectErrors: string[] = [];
  const uploader = new FrameUploader(client, {
    simulationId,
    maxUnackedFrames: 64,
    reconnect: { initialDelayMs: 100, maxDelayMs: 2000, giveUpAfterMs: 120_000 },
    onAck: (ack) => {
      acked.add(ack.step);
      ackTimes.push(Date.now());
    },
    onReject: (r) => reconnectErrors.push(`rejected step ${r.step}: ${r.reason}`),
    onReconnect: (info) => reconnectErrors.push(info.error),
  });
  const u: Upload = { simulationId, uploader, acked, ackTimes, reconnectErrors, done: Promise.resolve() };
  u.done = (async () => {
    await uploader.start();
    for (let step = 0; step < FRAMES; step++) {
      await uploader.send(syntheticFrame(simulationId, step, 1024));
      await new Promise((r) => setTimeout(r, FRAME_INTERVAL_MS));
    }
    await uploader.close();
  })();
  return u;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * From the kill until a stream acks steadily again: the end of the last pause of over a second
 * in its acks after the kill (acks of frames already in flight at the kill do not count).
 */
function recoveredAfter(times: readonly number[], killAt: number): number {
  let previous = killAt;
  let resumed = killAt;
  for (const t of times.filter((x) => x > killAt)) {
    if (t - previous > 1000) resumed = t;
    previous = t;
  }
  return resumed - killAt;
}

function longestGap(times: readonly number[], from: number, to: number): number {
  const points = [from, ...times.filter((t) => t > from && t < to), to];
  return Math.max(...points.slice(1).map((t, i) => t - points[i]!));
}

describe('losing a broker of the 3-node cluster', () => {
  const run = randomUUID().slice(0, 8);
  const tenant = `chaos-${run}`;
  const rows: ChaosRow[] = [];
  let infra: Infra;
  let kafka: KafkaClient;
  let pool: Pool;

  beforeAll(() => {
    infra = createInfra();
    kafka = testKafka();
    pool = createPool({ url: infra.endpoints().databaseUrl });
  });

  afterAll(async () => {
    await pool?.end();
    if (rows.length > 0) {
      const file = writeChaosReport('broker-loss', rows);
      process.stdout.write(`\n${renderChaosTable(rows)}\n(${file})\n`);
    }
  });

  async function resultCounts(ids: readonly string[]): Promise<{ rows: number; distinct: number }> {
    const { rows } = await pool.query<{ n: string; steps: string }>(
      `SELECT count(*) AS n, count(DISTINCT (simulation_id, step)) AS steps FROM results
       WHERE kind = 'neuromorphic' AND simulation_id = ANY($1)`,
      [ids],
    );
    return { rows: Number(rows[0]!.n), distinct: Number(rows[0]!.steps) };
  }

  async function countResults(ids: readonly string[]): Promise<number> {
    return (await resultCounts(ids)).rows;
  }

  /** Polls until the simulations' partitions have new leaders (or a new controller is elected). */
  async function whoTookOver(
    scenario: Scenario,
    ids: readonly string[],
    victim: number,
    survivors: readonly string[],
    deadline: number,
  ): Promise<string> {
    const killedAt = Date.now();
    for (;;) {
      let found: string | undefined;
      if (scenario === 'controller') {
        const controller = await activeController(survivors).catch(() => victim);
        if (controller !== victim) found = `controller ${controller}`;
      } else {
        const after = await partitionStates(kafka, TopicName.frames);
        const leaders = [...new Set(ids.map((id) => leaderOf(after, id)))];
        if (!leaders.includes(victim)) found = `leaders ${leaders.join(', ')}`;
      }
      if (found !== undefined) return `${found} after ${((Date.now() - killedAt) / 1000).toFixed(1)} s`;
      if (Date.now() > deadline) return 'none while it was down';
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('runs against three brokers with the cluster topic table (replication 3, min.insync.replicas 2)', async () => {
    expect(infra.endpoints().kafkaBrokers).toHaveLength(3);
    for (const topic of topicDefinitions(topicEnvironment('cluster'))) {
      const states = await partitionStates(kafka, topic.name);
      expect(states).toHaveLength(topic.partitions);
      for (const p of states) expect(p.replicas).toHaveLength(3);
      expect(await topicConfig(kafka, topic.name, 'min.insync.replicas')).toBe('2');
    }
  });

  /** One scenario on its own services (fresh consumer groups), so its downstream counts are its own. */
  async function loseNode(scenario: Scenario): Promise<void> {
    const stack = await Stack.create(kafka, {
      tenants: [tenant],
      services: ['query', 'ingestion', 'neuromorphic'],
    });
    try {
      await loseNodeWith(stack, scenario);
    } finally {
      await stack.stop();
    }
  }

  async function loseNodeWith(stack: Stack, scenario: Scenario): Promise<void> {
    const t0 = Date.now();
    const brokers = infra.endpoints().kafkaBrokers;
    await waitForFullIsr(kafka, [TopicName.frames, TopicName.progress], 120_000);
    const before = await partitionStates(kafka, TopicName.frames);
    const controller = await activeController(brokers);
    // A partition leader that is not the controller, so that the two scenarios differ. The
    // baseline kills nobody; its streams sit on partitions led by one node all the same.
    const victim =
      scenario === 'controller'
        ? controller
        : (before.find((p) => p.leader !== controller) ?? before[0]!).leader;
    const ids = simulationsLedBy(`chaos-${run}-${scenario}`, before, victim, SIMULATIONS);
    expect(ids).toHaveLength(SIMULATIONS);
    const ledByVictim = ids.filter((id) => leaderOf(before, id) === victim).length;

    const from = await endOffsets(kafka, TopicName.frames);
    const client = await ingestionClientFor(stack.address('ingestion'), tenant);
    const uploads = ids.map((id) => upload(client, id));
    let killAt = 0;
    let restartReadyMs = 0;
    let takeover = '';
    const resultsAt = { kill: 0, restart: 0, streamsDone: 0 };
    try {
      await until(
        () => uploads.every((u) => u.acked.size >= KILL_AFTER_ACKS),
        60_000,
        `${KILL_AFTER_ACKS} acks per stream`,
      );
      killAt = Date.now();
      if (scenario !== 'baseline') {
        const killed = await infra.kill9(kafkaNodeName(victim));
        expect(killed.action).toBe('killed');
        const survivors = brokers.filter((_, i) => i + 1 !== victim);
        resultsAt.kill = await countResults(ids);
        // While it is down: who took over, and when.
        takeover = await whoTookOver(scenario, ids, victim, survivors, killAt + DOWN_MS - 1000);
        await new Promise((r) => setTimeout(r, Math.max(0, killAt + DOWN_MS - Date.now())));
        const restartAt = Date.now();
        resultsAt.restart = await countResults(ids);
        await infra.start(kafkaNodeName(victim));
        restartReadyMs = Date.now() - restartAt;
      }
      await withTimeout(Promise.all(uploads.map((u) => u.done)), STREAMS_TIMEOUT_MS, 'the streams');
      resultsAt.streamsDone = await countResults(ids);
    } finally {
      client.close();
      // Whatever happened, the next scenario needs all three nodes.
      await infra.up(['kafka']);
    }
    const streamsDoneAt = Date.now();

    // The frames topic, read_committed, until every acked step is there, then 5 s more.
    const keys = new Set(ids);
    const records = await readUntil({
      kafka,
      topic: TopicName.frames,
      from,
      filter: (r) => keys.has(r.key ?? ''),
      until: (rs) => {
        const seen = new Set(rs.map((r) => `${r.key}/${(r.value as Frame).step}`));
        return uploads.every((u) => [...u.acked].every((s) => seen.has(`${u.simulationId}/${s}`)));
      },
      settleMs: 5000,
      timeoutMs: 120_000,
    });
    const counts = new Map<string, number>();
    for (const r of records) {
      const key = `${r.key}/${(r.value as Frame).step}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let missing = 0;
    let gaps = 0;
    for (const u of uploads) {
      for (const step of u.acked) if (!counts.has(`${u.simulationId}/${step}`)) missing++;
      for (const step of range(FRAMES)) if (!counts.has(`${u.simulationId}/${step}`)) gaps++;
    }

    // Downstream: one neuromorphic result per frame in Postgres. Waits while results still come
    // in (at most 180 s; 30 s without progress ends the wait), then 3 s more for late replays.
    const expected = SIMULATIONS * FRAMES;
    const waitStarted = Date.now();
    let last = { n: -1, at: Date.now() };
    for (;;) {
      const n = await countResults(ids);
      if (n !== last.n) last = { n, at: Date.now() };
      if (n >= expected || Date.now() - last.at > 30_000 || Date.now() - waitStarted > 180_000) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 3000));
    const results = await resultCounts(ids);
    const downstream = await serviceCounters(stack);
    const groups = await groupStates(kafka, stack, ids);

    const stats = uploads.map((u) => u.uploader.stats);
    const sum = (f: (s: FrameUploader['stats']) => number) => stats.reduce((n, s) => n + f(s), 0);
    const row: ChaosRow = {
      scenario: SCENARIO_TITLES[scenario],
      killed: {
        nodeId: scenario === 'baseline' ? 0 : victim,
        role: `${victim === controller ? 'controller, ' : ''}leader of ${ledByVictim}/${SIMULATIONS} streams' partitions`,
      },
      simulations: SIMULATIONS,
      framesSent: expected,
      acked: sum((s) => s.acked + s.alreadyDurable),
      ackedOnStream: sum((s) => s.acked),
      foundDurableOnResume: sum((s) => s.alreadyDurable),
      kafkaRecords: records.length,
      duplicates: records.length - counts.size,
      missing,
      gaps,
      results: results.rows,
      resultDuplicates: results.rows - results.distinct,
      resultsAt: { ...resultsAt, end: results.rows },
      downstream,
      groups,
      duplicateSamples: duplicateSamples(records, 5),
      streamReconnects: sum((s) => s.reconnects),
      framesResent: sum((s) => s.resent),
      longestAckGapMs: Math.max(...uploads.map((u) => longestGap(u.ackTimes, t0, streamsDoneAt))),
      recoveredAfterMs: Math.max(...uploads.map((u) => recoveredAfter(u.ackTimes, killAt))),
      downMs: scenario === 'baseline' ? 0 : DOWN_MS,
      restartReadyMs,
      takeover,
      durationMs: Date.now() - t0,
    };
    rows.push(row);
    writeChaosReport('broker-loss', rows);

    // The streams finished by themselves: every frame confirmed, none rejected.
    for (const u of uploads) expect(u.acked.size + u.uploader.stats.alreadyDurable).toBe(FRAMES);
    expect(uploads.flatMap((u) => u.reconnectErrors).filter((e) => e.startsWith('rejected'))).toEqual([]);
    // Exactly once in Kafka per (simulation, step), nothing acked lost, no gaps.
    expect({ duplicates: row.duplicates, missing, gaps }).toEqual({ duplicates: 0, missing: 0, gaps: 0 });
    // One result per frame downstream.
    expect({ results: row.results, duplicates: row.resultDuplicates }).toEqual({
      results: expected,
      duplicates: 0,
    });
  }

  it('keeps every acked frame exactly once with no broker lost (the baseline)', () => loseNode('baseline'));

  it('keeps every acked frame exactly once when the leader of their partitions is SIGKILLed mid-stream', () =>
    loseNode('partition-leader'));

  it('keeps every acked frame exactly once when the active KRaft controller is SIGKILLed mid-stream', () =>
    loseNode('controller'));
});

/** Counters of the services, to tell where results stopped when they do. */
async function serviceCounters(stack: Stack): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const wanted =
    /^simstream_(neuromorphic_frames_processed_total|neuromorphic_results_published_total|query_rows_upserted_total|consumer_\w+_(records_total|dead_letters_total|lag_records)|kafka_\w+_(batches_total|failures_total|queued_bytes))$/;
  for (const name of ['ingestion', 'neuromorphic', 'query'] as const) {
    const ops = stack.process(name).opsUrl;
    // Whether the service itself says it is ready (HTTP status of /readyz).
    out[`${name}: readyz status`] = (await fetch(`${ops}/readyz`).catch(() => undefined))?.status ?? 0;
    const text = await (await fetch(`${ops}/metrics`)).text().catch(() => '');
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
      if (match === null || !wanted.test(match[1]!)) continue;
      const key = `${name}: ${match[1]}`;
      out[key] = (out[key] ?? 0) + Number(match[3]);
    }
  }
  return out;
}

/**
 * State and members of the analysis services' consumer groups, and how far their committed
 * offsets on the simulations' frames partitions are behind the end: where a stall sits.
 */
async function groupStates(kafka: KafkaClient, stack: Stack, ids: readonly string[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const partitions = [...new Set(ids.map((id) => partitionForKey(id, 12)))];
    const ends = new Map((await admin.topicOffsets(TopicName.frames)).map((p) => [p.partition, p.high]));
    const out: string[] = [];
    for (const [service, variable] of [
      ['neuromorphic', 'NEURO_CONSUMER_GROUP'],
      ['query', 'QUERY_CONSUMER_GROUP'],
    ] as const) {
      const groupId = stack.process(service).env[variable]!;
      const described = await admin.describeGroup(groupId);
      const committed = await admin.groupOffsets(groupId, TopicName.frames);
      const behind = partitions.map((p) => {
        const at = committed.find((x) => x.partition === p)?.offset ?? -1;
        return `p${p}:${(ends.get(p) ?? 0) - at}`;
      });
      out.push(
        `${service}: ${described.state}, ${described.members} member(s), committed behind end ${behind.join(' ')}`,
      );
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Up to `limit` duplicated (simulation, step) pairs with where each copy sits. */
function duplicateSamples(records: readonly ConsumedRecord[], limit: number): string[] {
  const where = new Map<string, string[]>();
  for (const r of records) {
    const key = `${r.key}/${(r.value as Frame).step}`;
    where.set(key, [...(where.get(key) ?? []), `p${r.partition}@${r.offset}`]);
  }
  return [...where]
    .filter(([, at]) => at.length > 1)
    .slice(0, limit)
    .map(([key, at]) => `${key}: ${at.join(' ')}`);
}

function leaderOf(states: readonly PartitionState[], id: string): number | undefined {
  return states.find((p) => p.partition === partitionForKey(id, states.length))?.leader;
}
