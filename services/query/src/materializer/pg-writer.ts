/**
 * The materializer's Postgres transaction for one batch: simulation rows created and locked in
 * id order, frames and results inserted by identity where none is held yet — the first durable
 * copy of a (simulation, step) wins, a later copy (a resend, a replay with other values) changes
 * nothing — simulation counters moved only by rows actually inserted (`xmax = 0` tells an insert
 * from the no-op update that returns the row already held), versions bumped where anything
 * changed, job rows completed without ever leaving a terminal status. Replaying a batch changes
 * nothing: no counter, no version. The outcome says which rows of the batch are the copies held,
 * so InfluxDB gets exactly those.
 */
import type { PoolClient } from '@simstream/storage';
import type { MaterializePlan } from './batch-plan.js';
import type { StoredResultKind } from './rows.js';

export type ChangedKind = StoredResultKind | 'frame';

export interface SimulationChange {
  readonly simulationId: string;
  readonly tenant: string;
  readonly version: number;
  readonly kinds: readonly ChangedKind[];
}

export interface WriteOutcome {
  readonly changes: readonly SimulationChange[];
  /** Rows by table and outcome: inserted, or kept (another copy was already held). */
  readonly rows: ReadonlyMap<string, { inserted: number; kept: number }>;
  /** `frameKey`s of the batch's frames that are the copies Postgres holds. */
  readonly heldFrames: ReadonlySet<string>;
  /** `resultKey`s of the batch's results that are the copies Postgres holds. */
  readonly heldResults: ReadonlySet<string>;
  readonly jobs: { readonly completed: number; readonly unknown: readonly string[] };
}

interface Counts {
  frames: number;
  neuromorphic: number;
  quantum: number;
  changed: Set<ChangedKind>;
}

const TERMINAL = `('succeeded', 'failed', 'cancelled')`;

/** One copy of a frame: its (simulation, step) and the id ingestion gave it. */
export function frameKey(simulationId: string, step: number | string, frameId: string): string {
  return `${simulationId}\u0000${String(step)}\u0000${frameId}`;
}

/** One copy of a result: its identity and when it was produced (ms). */
export function resultKey(
  simulationId: string,
  kind: string,
  step: number | string,
  producedAtMs: number,
): string {
  return `${simulationId}\u0000${kind}\u0000${String(step)}\u0000${Math.round(producedAtMs)}`;
}

export async function writePlan(client: PoolClient, plan: MaterializePlan): Promise<WriteOutcome> {
  const rows = new Map<string, { inserted: number; kept: number }>();
  const count = (table: string, inserted: boolean) => {
    const c = rows.get(table) ?? { inserted: 0, kept: 0 };
    if (inserted) c.inserted++;
    else c.kept++;
    rows.set(table, c);
  };
  const heldFrames = new Set<string>();
  const heldResults = new Set<string>();
  const perSimulation = new Map<string, Counts>();
  const counts = (id: string): Counts => {
    let c = perSimulation.get(id);
    if (c === undefined) {
      c = { frames: 0, neuromorphic: 0, quantum: 0, changed: new Set() };
      perSimulation.set(id, c);
    }
    return c;
  };

  const sims = plan.simulations;
  if (sims.length > 0) {
    await client.query(
      `INSERT INTO simulations (simulation_id, tenant, first_seen, last_seen)
       SELECT id, tenant, to_timestamp(first_ms / 1000.0), to_timestamp(last_ms / 1000.0)
       FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[]) AS u(id, tenant, first_ms, last_ms)
       ORDER BY id
       ON CONFLICT (simulation_id) DO NOTHING`,
      [
        sims.map((s) => s.simulationId),
        sims.map((s) => s.tenant),
        sims.map((s) => s.firstSeenMs),
        sims.map((s) => s.lastSeenMs),
      ],
    );
    await client.query(
      `SELECT 1 FROM simulations WHERE simulation_id = ANY($1::text[]) ORDER BY simulation_id FOR UPDATE`,
      [sims.map((s) => s.simulationId)],
    );
  }

  if (plan.frames.length > 0) {
    const f = plan.frames;
    const inserted = await client.query<{
      simulation_id: string;
      step: string;
      frame_id: string;
      inserted: boolean;
    }>(
      `INSERT INTO frames (simulation_id, step, sim_time, frame_id, ingested_at, bytes, kafka_partition, kafka_offset, fields)
       SELECT sim, step, sim_time, frame_id::uuid, to_timestamp(ingested_ms / 1000.0), bytes, part, off, fields::jsonb
       FROM unnest($1::text[], $2::int8[], $3::float8[], $4::text[], $5::float8[], $6::int8[], $7::int4[], $8::int8[], $9::text[])
         AS u(sim, step, sim_time, frame_id, ingested_ms, bytes, part, off, fields)
       ON CONFLICT (simulation_id, step) DO UPDATE SET frame_id = frames.frame_id
       RETURNING simulation_id, step, frame_id::text AS frame_id, (xmax = 0) AS inserted`,
      [
        f.map((r) => r.simulationId),
        f.map((r) => r.step),
        f.map((r) => r.simTime),
        f.map((r) => r.frameId),
        f.map((r) => r.ingestedAtMs),
        f.map((r) => r.bytes),
        f.map((r) => r.partition),
        f.map((r) => r.offset),
        f.map((r) => JSON.stringify(r.fields)),
      ],
    );
    for (const row of inserted.rows) {
      count('frames', row.inserted);
      heldFrames.add(frameKey(row.simulation_id, row.step, row.frame_id));
      if (!row.inserted) continue;
      const c = counts(row.simulation_id);
      c.frames++;
      c.changed.add('frame');
    }
  }

  if (plan.results.length > 0) {
    const r = plan.results;
    const upserted = await client.query<{
      simulation_id: string;
      kind: StoredResultKind;
      step: string;
      produced_ms: number;
      inserted: boolean;
    }>(
      `INSERT INTO results (simulation_id, kind, step, sim_time, score, payload, produced_at)
       SELECT sim, kind, step, sim_time, score, payload::jsonb, to_timestamp(produced_ms / 1000.0)
       FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::text[], $7::float8[])
         AS u(sim, kind, step, sim_time, score, payload, produced_ms)
       ON CONFLICT (simulation_id, kind, step) DO UPDATE SET step = results.step
       RETURNING simulation_id, kind, step, extract(epoch FROM produced_at) * 1000 AS produced_ms,
                 (xmax = 0) AS inserted`,
      [
        r.map((x) => x.simulationId),
        r.map((x) => x.kind),
        r.map((x) => x.step),
        r.map((x) => x.simTime),
        r.map((x) => x.score),
        r.map((x) => JSON.stringify(x.payload)),
        r.map((x) => x.producedAtMs),
      ],
    );
    for (const row of upserted.rows) {
      count('results', row.inserted);
      heldResults.add(resultKey(row.simulation_id, row.kind, row.step, Number(row.produced_ms)));
      if (!row.inserted) continue;
      const c = counts(row.simulation_id);
      c[row.kind]++;
      c.changed.add(row.kind);
    }
  }

  let changes: SimulationChange[] = [];
  if (sims.length > 0) {
    const c = sims.map((s) => perSimulation.get(s.simulationId));
    const updated = await client.query<{ simulation_id: string; tenant: string; version: string }>(
      `UPDATE simulations s SET
         tenant = CASE WHEN s.tenant = '' THEN u.tenant ELSE s.tenant END,
         kind = COALESCE(u.kind, s.kind),
         attributes = CASE WHEN u.attributes IS NULL THEN s.attributes ELSE s.attributes || u.attributes::jsonb END,
         frames = s.frames + u.frames,
         first_step = LEAST(s.first_step, u.first_step),
         last_step = GREATEST(s.last_step, u.last_step),
         first_seen = LEAST(s.first_seen, to_timestamp(u.first_ms / 1000.0)),
         last_seen = GREATEST(s.last_seen, to_timestamp(u.last_ms / 1000.0)),
         neuromorphic_results = s.neuromorphic_results + u.neuromorphic,
         quantum_results = s.quantum_results + u.quantum,
         last_anomaly_score = CASE WHEN u.neuromorphic_changed THEN (
           SELECT r.score FROM results r
           WHERE r.simulation_id = s.simulation_id AND r.kind = 'neuromorphic'
           ORDER BY r.step DESC LIMIT 1) ELSE s.last_anomaly_score END,
         version = s.version + 1
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::int8[],
                   $8::float8[], $9::float8[], $10::int8[], $11::int8[], $12::bool[], $13::bool[])
         AS u(id, tenant, kind, attributes, frames, first_step, last_step, first_ms, last_ms,
              neuromorphic, quantum, neuromorphic_changed, changed)
       WHERE s.simulation_id = u.id AND (u.changed OR (s.tenant = '' AND u.tenant <> ''))
       RETURNING s.simulation_id, s.tenant, s.version`,
      [
        sims.map((s) => s.simulationId),
        sims.map((s) => s.tenant),
        sims.map((s) => s.kind ?? null),
        sims.map((s) => (s.attributes === undefined ? null : JSON.stringify(s.attributes))),
        c.map((x) => x?.frames ?? 0),
        sims.map((s) => s.firstStep ?? null),
        sims.map((s) => s.lastStep ?? null),
        sims.map((s) => s.firstSeenMs),
        sims.map((s) => s.lastSeenMs),
        c.map((x) => x?.neuromorphic ?? 0),
        c.map((x) => x?.quantum ?? 0),
        c.map((x) => x?.changed.has('neuromorphic') ?? false),
        c.map((x) => (x?.changed.size ?? 0) > 0),
      ],
    );
    changes = updated.rows.map((row) => ({
      simulationId: row.simulation_id,
      tenant: row.tenant,
      version: Number(row.version),
      kinds: [...(perSimulation.get(row.simulation_id)?.changed ?? [])],
    }));
  }

  let completed = 0;
  const unknown: string[] = [];
  if (plan.jobs.length > 0) {
    const j = plan.jobs;
    const done = await client.query<{ job_id: string; known: boolean; updated: boolean }>(
      `WITH u AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[]) AS u(job_id, result, status, finished_ms)
       ), upd AS (
         UPDATE jobs j SET
           result = COALESCE(j.result, u.result::jsonb),
           status = CASE WHEN j.status IN ${TERMINAL} THEN j.status ELSE u.status END,
           finished_at = COALESCE(j.finished_at, to_timestamp(u.finished_ms / 1000.0))
         FROM u
         WHERE j.job_id = u.job_id AND (j.result IS NULL OR j.status NOT IN ${TERMINAL})
         RETURNING j.job_id
       )
       SELECT u.job_id::text AS job_id,
              EXISTS (SELECT 1 FROM jobs k WHERE k.job_id = u.job_id) AS known,
              u.job_id IN (SELECT job_id FROM upd) AS updated
       FROM u`,
      [
        j.map((x) => x.jobId),
        j.map((x) => JSON.stringify(x.result)),
        j.map((x) => x.status),
        j.map((x) => x.finishedAtMs),
      ],
    );
    for (const row of done.rows) {
      if (row.updated) {
        completed++;
        count('jobs', false);
      } else if (!row.known) unknown.push(row.job_id);
    }
  }
  return { changes, rows, heldFrames, heldResults, jobs: { completed, unknown } };
}
