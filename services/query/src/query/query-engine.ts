/**
 * The unary Query calls over the store, with tenant visibility and versioned caching: a
 * simulation is visible only to its tenant (anything else is NOT_FOUND); cached answers live
 * under `<simulation>:<version>:…`, so a new version makes them unreachable at once.
 */
import type { pb } from '@simstream/contracts';
import type { ResultCache } from '../cache/result-cache.js';
import type { SimulationMeta, SimulationVersions } from '../cache/versions.js';
import { SimulationNotFoundError } from '../errors.js';
import { toResult, toSimulation } from './convert.js';
import { resultsQuery, simulationRequest, simulationsQuery } from './requests.js';
import type { QueryStore, ResultRecord, SimulationRecord } from './store.js';

export const CACHE_PREFIX = 'simstream:q:v1';

interface CachedPage {
  readonly results: ResultRecord[];
  readonly next: string;
}

export class QueryEngine {
  constructor(
    private readonly store: QueryStore,
    private readonly versions: SimulationVersions,
    private readonly cache: ResultCache,
  ) {}

  /** The simulation's owner and version, if `tenant` may see it; else NOT_FOUND. */
  async visible(tenant: string, simulationId: string): Promise<SimulationMeta> {
    const meta = await this.versions.resolve(simulationId);
    if (meta === undefined || meta.tenant !== tenant) throw new SimulationNotFoundError(simulationId);
    return meta;
  }

  async listSimulations(req: pb.ListSimulationsRequest__Output): Promise<pb.ListSimulationsResponse> {
    const q = simulationsQuery(req);
    // One more than asked tells whether there is a next page.
    const rows = await this.store.simulations(q.tenant, q.after, q.pageSize + 1);
    const page = rows.slice(0, q.pageSize);
    const last = page[page.length - 1];
    return {
      simulations: page.map(toSimulation),
      nextPageToken: rows.length > q.pageSize && last !== undefined ? q.next(last.simulationId) : '',
    };
  }

  async getSimulation(req: pb.GetSimulationRequest__Output): Promise<pb.Simulation> {
    simulationRequest(req);
    const meta = await this.visible(req.tenant, req.simulationId);
    const key = `${CACHE_PREFIX}:${req.simulationId}:${meta.version}:sim`;
    const record = await this.cache.get<SimulationRecord | null>(
      key,
      async () => (await this.store.simulation(req.simulationId)) ?? null,
    );
    // A row read at a newer version than the key names is still right (never older).
    if (record === null || record.tenant !== req.tenant) throw new SimulationNotFoundError(req.simulationId);
    return toSimulation(record);
  }

  async listResults(req: pb.ListResultsRequest__Output): Promise<pb.ListResultsResponse> {
    const q = resultsQuery(req);
    const meta = await this.visible(q.tenant, q.filter.simulationId);
    const key = `${CACHE_PREFIX}:${q.filter.simulationId}:${meta.version}:results:${q.cacheKey}`;
    const page = await this.cache.get<CachedPage>(key, async () => {
      const rows = await this.store.results(q.filter, q.afterStep, q.pageSize + 1);
      const results = rows.slice(0, q.pageSize);
      const last = results[results.length - 1];
      return { results, next: rows.length > q.pageSize && last !== undefined ? q.next(last.step) : '' };
    });
    return {
      results: page.results.map((r) => toResult(q.filter.simulationId, q.filter.kind, r)),
      nextPageToken: page.next,
    };
  }
}
