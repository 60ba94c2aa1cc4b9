/**
 * Which tenant owns a simulation id, the one place both public edges ask (gateway uploads,
 * ingestion streams, batches and status calls): ids are global, so the first tenant to write
 * frames for an id claims it, atomically in Postgres (gateway_simulation_owners, migration
 * 040), and every other tenant is refused as if the id did not exist. Claims never change, so
 * answers are cached in process without expiry (bounded).
 */
import { NotFoundError } from '@simstream/errors';
import { databaseError, type Pool } from '@simstream/storage';
import type { Guard } from './key-store.js';

export interface Ownership {
  /** The owner of `simulationId`, claiming it for `tenant` when nobody owns it yet. */
  claim(simulationId: string, tenant: string): Promise<string>;
  /** The owner of `simulationId`, or undefined while nobody has written it. */
  owner(simulationId: string): Promise<string | undefined>;
}

/** What another tenant sees of a simulation: exactly what a missing one looks like. */
export function simulationNotFound(simulationId: string): NotFoundError {
  return new NotFoundError('SIMULATION_NOT_FOUND', `no simulation '${simulationId.slice(0, 130)}'`);
}

/** Claims `simulationId` for `tenant` or throws SIMULATION_NOT_FOUND when another tenant owns it. */
export async function claimOrNotFound(
  ownership: Ownership,
  simulationId: string,
  tenant: string,
): Promise<void> {
  if ((await ownership.claim(simulationId, tenant)) !== tenant) throw simulationNotFound(simulationId);
}

const OWNER = `
  SELECT COALESCE(
    (SELECT tenant FROM gateway_simulation_owners WHERE simulation_id = $1),
    (SELECT tenant FROM simulations WHERE simulation_id = $1)) AS tenant`;

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
  const remember = (simulationId: string, owner: string) => {
    if (owners.size >= maxCached) owners.delete(owners.keys().next().value!);
    owners.set(simulationId, owner);
  };
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
      remember(simulationId, owner);
      return owner;
    },
    async owner(simulationId) {
      const known = owners.get(simulationId);
      if (known !== undefined) return known;
      const owner = await guard('find simulation owner', async () => {
        try {
          const { rows } = await pool.query<{ tenant: string | null }>(OWNER, [simulationId]);
          return rows[0]?.tenant ?? undefined;
        } catch (error) {
          throw databaseError(error, 'find simulation owner');
        }
      });
      if (owner !== undefined) remember(simulationId, owner);
      return owner;
    },
  };
}

/** Claims held in memory: for unit tests and single-process tools. */
export function memoryOwnership(): Ownership {
  const owners = new Map<string, string>();
  return {
    claim: (simulationId, tenant) => {
      if (!owners.has(simulationId)) owners.set(simulationId, tenant);
      return Promise.resolve(owners.get(simulationId)!);
    },
    owner: (simulationId) => Promise.resolve(owners.get(simulationId)),
  };
}
