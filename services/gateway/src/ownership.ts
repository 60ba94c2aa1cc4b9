/**
 * Which tenant owns a simulation id, for uploads: ids are global, so the first tenant to send
 * frames for an id claims it, atomically in Postgres (gateway_simulation_owners, migration
 * 040), and every later upload by another tenant is refused. Claims never change, so answers
 * are cached in process without expiry (bounded).
 */
import { databaseError, type Pool } from '@simstream/storage';
import type { Guard } from './auth/key-store.js';

export interface Ownership {
  /** The owner of `simulationId`, claiming it for `tenant` when nobody owns it yet. */
  claim(simulationId: string, tenant: string): Promise<string>;
}

// One statement: an existing claim wins; else the tenant recorded by the materializer (frames
// that came straight to ingestion); else the caller. DO UPDATE (a no-op) makes RETURNING
// yield the winning row whether or not this insert won the race.
const CLAIM = `
  INSERT INTO gateway_simulation_owners (simulation_id, tenant)
  VALUES ($1, COALESCE((SELECT tenant FROM simulations WHERE simulation_id = $1), $2))
  ON CONFLICT (simulation_id) DO UPDATE SET simulation_id = EXCLUDED.simulation_id
  RETURNING tenant`;

export function postgresOwnership(pool: Pool, guard: Guard, maxCached = 100_000): Ownership {
  const owners = new Map<string, string>();
  return {
    async claim(simulationId, tenant) {
      const known = owners.get(simulationId);
      if (known !== undefined) return known;
      const owner = await guard('claim simulation', async () => {
        try {
          const { rows } = await pool.query<{ tenant: string }>(CLAIM, [simulationId, tenant]);
          return rows[0]!.tenant;
        } catch (error) {
          throw databaseError(error, 'claim simulation');
        }
      });
      if (owners.size >= maxCached) owners.delete(owners.keys().next().value!);
      owners.set(simulationId, owner);
      return owner;
    },
  };
}
