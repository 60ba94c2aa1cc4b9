/**
 * Who owns a simulation and its current version, as this instance knows them. Versions learned
 * from change notifications are trusted only while the notification channel is live (and for
 * at most `maxAgeMs`, since Redis pub/sub may drop a message); otherwise the version is read
 * from Postgres (one primary-key read), so a cache key never names a version older than the
 * data — Redis down means caching on fresh versions, never serving stale entries.
 */
import { LRUCache } from 'lru-cache';

export interface SimulationMeta {
  /** '' while only results were seen (no frame yet): visible to nobody. */
  readonly tenant: string;
  readonly version: number;
}

export interface SimulationVersionsOptions {
  readonly load: (simulationId: string) => Promise<SimulationMeta | undefined>;
  readonly maxAgeMs: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
  readonly onLookup?: (source: 'local' | 'postgres') => void;
}

interface Entry {
  readonly meta: SimulationMeta;
  readonly at: number;
}

export class SimulationVersions {
  private readonly entries: LRUCache<string, Entry>;
  private live = false;
  private epoch = 0;
  private readonly now: () => number;

  constructor(private readonly options: SimulationVersionsOptions) {
    this.entries = new LRUCache({ max: options.maxEntries ?? 100_000 });
    this.now = options.now ?? Date.now;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** The notification channel went up or down: either way, what was learned before is dropped. */
  setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.epoch++;
    this.entries.clear();
  }

  /** A change notification (or a fresh read): keeps the highest version seen. */
  learn(simulationId: string, meta: SimulationMeta): void {
    if (!this.live) return;
    const known = this.entries.get(simulationId);
    if (known !== undefined && known.meta.version > meta.version) return;
    this.entries.set(simulationId, { meta, at: this.now() });
  }

  async resolve(simulationId: string): Promise<SimulationMeta | undefined> {
    if (this.live) {
      const known = this.entries.get(simulationId);
      if (known !== undefined && this.now() - known.at < this.options.maxAgeMs) {
        this.options.onLookup?.('local');
        return known.meta;
      }
    }
    const epoch = this.epoch;
    this.options.onLookup?.('postgres');
    const meta = await this.options.load(simulationId);
    if (meta === undefined) return undefined;
    if (epoch !== this.epoch) return meta;
    this.learn(simulationId, meta);
    // A notification during the read may carry a newer version than the read saw.
    return this.live ? (this.entries.get(simulationId)?.meta ?? meta) : meta;
  }
}
