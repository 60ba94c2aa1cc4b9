/**
 * Detector state per simulation, with the last step it covers, in Postgres
 * (`detector_checkpoints`, migration 001). Writes are upserts that never move a checkpoint
 * backwards: after a rebalance the old and the new owner of a partition may both write, and
 * any state for step S is the same (the detector is deterministic), so the latest step wins.
 */
import { messageOf } from '@simstream/errors';
import { databaseError, type Pool } from '@simstream/storage';
import { CheckpointError } from './errors.js';

export interface Checkpoint {
  readonly simulationId: string;
  /** Last step whose frame the state has seen (and whose result is durable). */
  readonly step: number;
  /** Detector configuration and feature layout the state belongs to (see modelId). */
  readonly model: string;
  readonly state: Uint8Array;
}

export interface CheckpointStore {
  load(simulationIds: readonly string[]): Promise<Map<string, Checkpoint>>;
  save(checkpoints: readonly Checkpoint[]): Promise<void>;
}

/** Upserts per statement (each state is a few hundred KB). */
const ROWS_PER_STATEMENT = 32;

export class PostgresCheckpointStore implements CheckpointStore {
  constructor(private readonly pool: Pool) {}

  async load(simulationIds: readonly string[]): Promise<Map<string, Checkpoint>> {
    const out = new Map<string, Checkpoint>();
    if (simulationIds.length === 0) return out;
    try {
      const { rows } = await this.pool.query<{
        simulation_id: string;
        step: string;
        model: string;
        state: Buffer;
      }>(
        'SELECT simulation_id, step, model, state FROM detector_checkpoints WHERE simulation_id = ANY($1::text[])',
        [simulationIds],
      );
      for (const r of rows) {
        out.set(r.simulation_id, {
          simulationId: r.simulation_id,
          step: Number(r.step),
          model: r.model,
          // pg's Buffer may be a view into a larger allocation; decodeState copies what it keeps.
          state: r.state,
        });
      }
      return out;
    } catch (error) {
      const cause = databaseError(error, 'loading detector checkpoints');
      throw new CheckpointError(messageOf(cause), cause);
    }
  }

  async save(checkpoints: readonly Checkpoint[]): Promise<void> {
    // Sorted, so that concurrent writers lock rows in the same order.
    const sorted = [...checkpoints].sort((a, b) => (a.simulationId < b.simulationId ? -1 : 1));
    for (let at = 0; at < sorted.length; at += ROWS_PER_STATEMENT) {
      const chunk = sorted.slice(at, at + ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      const rows = chunk.map((c) => {
        params.push(
          c.simulationId,
          c.step,
          c.model,
          Buffer.from(c.state.buffer, c.state.byteOffset, c.state.byteLength),
        );
        const n = params.length;
        return `($${n - 3}, $${n - 2}, $${n - 1}, $${n}, now())`;
      });
      try {
        await this.pool.query(
          `INSERT INTO detector_checkpoints (simulation_id, step, model, state, updated_at)
           VALUES ${rows.join(', ')}
           ON CONFLICT (simulation_id) DO UPDATE
             SET step = EXCLUDED.step, model = EXCLUDED.model, state = EXCLUDED.state, updated_at = now()
             WHERE detector_checkpoints.step <= EXCLUDED.step`,
          params,
        );
      } catch (error) {
        const cause = databaseError(error, 'writing detector checkpoints');
        throw new CheckpointError(messageOf(cause), cause);
      }
    }
  }
}
