/**
 * The last K-step bucket each simulation has a result for. Kept in memory for the simulations
 * of this pod's partitions, loaded lazily from Postgres (quantum_buckets) after a start or a
 * rebalance, and recorded there after each result is durable in Kafka and before the frame's
 * offset is committed.
 *
 * Why our own table and not `max(step)` of the materialized results: the materializer may lag
 * behind, and a restart inside its lag would then solve a bucket again from a later frame of
 * the bucket (a different problem, a different answer under the same bucketStep). With this
 * table the only window is between the Kafka write and the row write, and a replay in that
 * window re-solves the same frame to the same answer.
 */
import { databaseError, type Pool } from '@simstream/storage';

export interface BucketStore {
  /** First step of the last bucket with a result, or undefined for none. */
  load(simulationId: string): Promise<number | undefined>;
  save(simulationId: string, bucketStep: number): Promise<void>;
}

export function postgresBucketStore(pool: Pool): BucketStore {
  return {
    async load(simulationId) {
      try {
        const { rows } = await pool.query<{ bucket_step: string }>(
          'SELECT bucket_step FROM quantum_buckets WHERE simulation_id = $1',
          [simulationId],
        );
        return rows[0] === undefined ? undefined : Number(rows[0].bucket_step);
      } catch (error) {
        throw databaseError(error, 'reading the last quantum bucket');
      }
    },
    async save(simulationId, bucketStep) {
      try {
        await pool.query(
          `INSERT INTO quantum_buckets (simulation_id, bucket_step) VALUES ($1, $2)
           ON CONFLICT (simulation_id) DO UPDATE
             SET bucket_step = GREATEST(quantum_buckets.bucket_step, EXCLUDED.bucket_step), updated_at = now()`,
          [simulationId, bucketStep],
        );
      } catch (error) {
        throw databaseError(error, 'recording the last quantum bucket');
      }
    },
  };
}

/** Simulations remembered at most; the least recently updated are reloaded when needed. */
const MAX_TRACKED = 100_000;

export class BucketTracker {
  private readonly last = new Map<string, number>();

  constructor(private readonly store: BucketStore) {}

  private remember(simulationId: string, bucketStep: number): void {
    this.last.delete(simulationId);
    this.last.set(simulationId, bucketStep);
    if (this.last.size > MAX_TRACKED) this.last.delete(this.last.keys().next().value!);
  }

  /** First step of the last bucket emitted for the simulation (-Infinity for none). */
  async lastEmitted(simulationId: string): Promise<number> {
    const known = this.last.get(simulationId);
    if (known !== undefined) return known;
    const loaded = (await this.store.load(simulationId)) ?? -Infinity;
    // A result recorded meanwhile by this pod wins over an older read.
    const now = Math.max(this.last.get(simulationId) ?? -Infinity, loaded);
    this.remember(simulationId, now);
    return now;
  }

  async markEmitted(simulationId: string, bucketStep: number): Promise<void> {
    await this.store.save(simulationId, bucketStep);
    this.remember(simulationId, Math.max(this.last.get(simulationId) ?? -Infinity, bucketStep));
  }

  /** After a rebalance: partitions may have moved, so reload from the store on next use. */
  forget(): void {
    this.last.clear();
  }

  get size(): number {
    return this.last.size;
  }
}
