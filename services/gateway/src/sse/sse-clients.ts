/**
 * The open event streams of this replica: a cap (each holds a socket and, for results, a share
 * of an upstream tail), a smaller cap per tenant, and a way to end them all when the gateway
 * shuts down.
 */
import { HttpError } from '../problem.js';
import type { SseWriter } from './sse-writer.js';

export class SseClients {
  private readonly writers = new Set<SseWriter>();
  private reserved = 0;
  private readonly byTenant = new Map<string, number>();

  constructor(
    private readonly max: number,
    /** Streams one tenant may hold: its many streams must not take every other tenant's. */
    private readonly maxPerTenant = max,
  ) {}

  get count(): number {
    return this.reserved;
  }

  /**
   * Takes a slot for `tenant`: 429 TOO_MANY_STREAMS past the tenant's cap, 503 when this
   * replica has none left. Call the result to give it back.
   */
  reserve(tenant: string): () => void {
    const mine = this.byTenant.get(tenant) ?? 0;
    if (mine >= this.maxPerTenant)
      throw new HttpError(
        429,
        'TOO_MANY_STREAMS',
        `this tenant already holds ${mine} event streams, its most; close one or retry later`,
        { headers: { 'retry-after': '5' }, retriable: true },
      );
    if (this.reserved >= this.max)
      throw new HttpError(503, 'TOO_MANY_STREAMS', 'this gateway serves as many event streams as it can', {
        headers: { 'retry-after': '5' },
      });
    this.reserved++;
    this.byTenant.set(tenant, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reserved--;
      const left = (this.byTenant.get(tenant) ?? 1) - 1;
      if (left > 0) this.byTenant.set(tenant, left);
      else this.byTenant.delete(tenant);
    };
  }

  track(writer: SseWriter): void {
    this.writers.add(writer);
    writer.onClose(() => this.writers.delete(writer));
  }

  closeAll(): void {
    for (const writer of [...this.writers]) writer.close();
  }
}
