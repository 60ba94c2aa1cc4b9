/**
 * Postgres reads of the query side, behind the Postgres breaker: simulations, results and the
 * frame index, in step order with keyset paging (`step > after`), so every page is an index
 * range scan and no read holds a connection between pages.
 */
import { SimstreamError } from '@simstream/errors';
import { databaseError, type Pool } from '@simstream/storage';
import type { SimulationMeta } from '../cache/versions.js';

export type QueryKind = 'neuromorphic' | 'quantum' | 'frame';

export interface SimulationRecord {
  readonly simulationId: string;
  readonly tenant: string;
  readonly kind: string | null;
  readonly attributes: Record<string, string>;
  readonly frames: number;
  readonly firstStep: number | null;
  readonly lastStep: number | null;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly neuromorphicResults: number;
  readonly quantumResults: number;
  readonly lastAnomalyScore: number | null;
  readonly version: number;
}

/** A result or frame-index row. Numbers may be null where JSON had NaN (cached copies). */
export interface ResultRecord {
  readonly step: number;
  readonly simTime: number | null;
  readonly producedAtMs: number;
  readonly score: number | null;
  /** Result payload; for frames: frameId, bytes, partition, offset, fields. */
  readonly payload: Record<string, unknown>;
}

export interface ResultFilter {
  readonly simulationId: string;
  readonly kind: QueryKind;
  readonly fromStep?: number | undefined;
  readonly toStep?: number | undefined;
  readonly fromTimeMs?: number | undefined;
  readonly toTimeMs?: number | undefined;
}

/** Runs a statement; the service passes one that goes through the Postgres breaker. */
export type Read = <R>(text: string, values: unknown[]) => Promise<R[]>;

export function poolRead(pool: Pool): Read {
  return async <R>(text: string, values: unknown[]) => {
    try {
      return (await pool.query(text, values)).rows as R[];
    } catch (error) {
      throw error instanceof SimstreamError ? error : databaseError(error, 'query');
    }
  };
}

const ms = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::int8`;

const SIMULATION_COLUMNS = `simulation_id, tenant, kind, attributes, frames, first_step, last_step,
  ${ms('first_seen')} AS first_seen_ms, ${ms('last_seen')} AS last_seen_ms,
  neuromorphic_results, quantum_results, last_anomaly_score, version`;

interface SimulationRow {
  simulation_id: string;
  tenant: string;
  kind: string | null;
  attributes: Record<string, string>;
  frames: string;
  first_step: string | null;
  last_step: string | null;
  first_seen_ms: string;
  last_seen_ms: string;
  neuromorphic_results: string;
  quantum_results: string;
  last_anomaly_score: number | null;
  version: string;
}

const orNull = (x: string | null) => (x === null ? null : Number(x));

function simulation(row: SimulationRow): SimulationRecord {
  return {
    simulationId: row.simulation_id,
    tenant: row.tenant,
    kind: row.kind,
    attributes: row.attributes,
    frames: Number(row.frames),
    firstStep: orNull(row.first_step),
    lastStep: orNull(row.last_step),
    firstSeenMs: Number(row.first_seen_ms),
    lastSeenMs: Number(row.last_seen_ms),
    neuromorphicResults: Number(row.neuromorphic_results),
    quantumResults: Number(row.quantum_results),
    lastAnomalyScore: row.last_anomaly_score,
    version: Number(row.version),
  };
}

interface ResultRow {
  step: string;
  sim_time: number | null;
  produced_ms: string;
  score: number | null;
  payload: Record<string, unknown>;
}

const RESULT_SELECT = `SELECT r.step,
    COALESCE(NULLIF(r.sim_time, 'NaN'::float8), (SELECT f.sim_time FROM frames f
      WHERE f.simulation_id = r.simulation_id AND f.step = (r.payload->>'triggerStep')::int8)) AS sim_time,
    r.score, r.payload, ${ms('r.produced_at')} AS produced_ms
  FROM results r WHERE r.simulation_id = $1 AND r.kind = $2`;

const FRAME_SELECT = `SELECT f.step, f.sim_time, (f.fields->0->>'mean')::float8 AS score,
    jsonb_build_object('frameId', f.frame_id::text, 'bytes', f.bytes, 'partition', f.kafka_partition,
      'offset', f.kafka_offset, 'fields', f.fields) AS payload,
    ${ms('f.ingested_at')} AS produced_ms
  FROM frames f WHERE f.simulation_id = $1 AND $2::text = 'frame'`;

function record(row: ResultRow): ResultRecord {
  return {
    step: Number(row.step),
    simTime: row.sim_time,
    producedAtMs: Number(row.produced_ms),
    score: row.score,
    payload: row.payload,
  };
}

export class QueryStore {
  constructor(private readonly read: Read) {}

  async meta(simulationId: string): Promise<SimulationMeta | undefined> {
    const rows = await this.read<{ tenant: string; version: string }>(
      'SELECT tenant, version FROM simulations WHERE simulation_id = $1',
      [simulationId],
    );
    const row = rows[0];
    return row === undefined ? undefined : { tenant: row.tenant, version: Number(row.version) };
  }

  async simulation(simulationId: string): Promise<SimulationRecord | undefined> {
    const rows = await this.read<SimulationRow>(
      `SELECT ${SIMULATION_COLUMNS} FROM simulations WHERE simulation_id = $1`,
      [simulationId],
    );
    return rows[0] === undefined ? undefined : simulation(rows[0]);
  }

  async simulations(tenant: string, after: string, limit: number): Promise<SimulationRecord[]> {
    const rows = await this.read<SimulationRow>(
      `SELECT ${SIMULATION_COLUMNS} FROM simulations
       WHERE tenant = $1 AND simulation_id > $2 ORDER BY simulation_id LIMIT $3`,
      [tenant, after, limit],
    );
    return rows.map(simulation);
  }

  /** Rows of `filter` with step > `afterStep`, ascending, at most `limit`. */
  async results(filter: ResultFilter, afterStep: number, limit: number): Promise<ResultRecord[]> {
    const t = filter.kind === 'frame' ? 'f' : 'r';
    const time = filter.kind === 'frame' ? 'f.ingested_at' : 'r.produced_at';
    const values: unknown[] = [filter.simulationId, filter.kind, afterStep];
    const where = [`${t}.step > $3`];
    const add = (clause: (p: string) => string, value: number | undefined) => {
      if (value === undefined) return;
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    add((p) => `${t}.step >= ${p}`, filter.fromStep);
    add((p) => `${t}.step <= ${p}`, filter.toStep);
    add((p) => `${time} >= to_timestamp(${p}::float8 / 1000.0)`, filter.fromTimeMs);
    add((p) => `${time} <= to_timestamp(${p}::float8 / 1000.0)`, filter.toTimeMs);
    values.push(limit);
    const select = filter.kind === 'frame' ? FRAME_SELECT : RESULT_SELECT;
    const rows = await this.read<ResultRow>(
      `${select} AND ${where.join(' AND ')} ORDER BY ${t}.step ASC LIMIT $${values.length}`,
      values,
    );
    return rows.map(record);
  }

  /** The row with the highest step, if any. */
  async latest(simulationId: string, kind: QueryKind): Promise<ResultRecord | undefined> {
    const t = kind === 'frame' ? 'f' : 'r';
    const select = kind === 'frame' ? FRAME_SELECT : RESULT_SELECT;
    const rows = await this.read<ResultRow>(`${select} ORDER BY ${t}.step DESC LIMIT 1`, [
      simulationId,
      kind,
    ]);
    return rows[0] === undefined ? undefined : record(rows[0]);
  }
}
