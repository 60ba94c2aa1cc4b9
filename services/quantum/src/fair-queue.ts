/**
 * Which queued job runs next when a solver slot frees up, so that tenants share the slots:
 *
 * - Round-robin over tenants: each tenant has its own FIFO; the next job comes from the tenant
 *   after the one served last, so a tenant with 100 jobs queued gets one start per turn like a
 *   tenant with one.
 * - A cap per tenant on running jobs (`perTenant`, by default the number of slots minus one):
 *   one tenant never holds every slot, so a slot is always there for another tenant's job to
 *   start at once, however long the first tenant's jobs run. A tenant at its cap is skipped
 *   (its jobs stay queued) until one of its jobs ends.
 *
 * Solves cannot be pre-empted (a solver's state lives in a worker thread), so only this
 * reserve gives a short job of tenant B a prompt start beside tenant A's long ones; the price is
 * that one tenant alone uses at most `perTenant` slots. Pure: no I/O, no timers.
 */

export interface Queued<T> {
  readonly tenant: string;
  readonly id: string;
  readonly item: T;
}

export class FairQueue<T> {
  private readonly queues = new Map<string, Queued<T>[]>();
  private readonly ids = new Set<string>();
  /** Tenants in turn order; the head is served next. */
  private order: string[] = [];

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  push(entry: Queued<T>): void {
    if (this.ids.has(entry.id)) return;
    this.ids.add(entry.id);
    let queue = this.queues.get(entry.tenant);
    if (queue === undefined) {
      this.queues.set(entry.tenant, (queue = []));
      this.order.push(entry.tenant);
    }
    queue.push(entry);
  }

  /**
   * The next job to start: from the first tenant in turn whose running count is below
   * `perTenant`; that tenant goes to the back of the turn. Undefined when every tenant with
   * jobs queued is at its cap.
   */
  next(running: (tenant: string) => number, perTenant: number): Queued<T> | undefined {
    for (let turn = 0; turn < this.order.length; turn++) {
      const tenant = this.order[turn]!;
      if (running(tenant) >= perTenant) continue;
      const queue = this.queues.get(tenant)!;
      const entry = queue.shift()!;
      this.ids.delete(entry.id);
      this.order.splice(turn, 1);
      if (queue.length > 0) this.order.push(tenant);
      else this.queues.delete(tenant);
      return entry;
    }
    return undefined;
  }

  /** Drops the entries `drop` says no (their partition moved away, the pod stops). */
  remove(drop: (entry: Queued<T>) => boolean): Queued<T>[] {
    const removed: Queued<T>[] = [];
    for (const [tenant, queue] of this.queues) {
      const kept = queue.filter((e) => !drop(e));
      for (const e of queue)
        if (!kept.includes(e)) {
          removed.push(e);
          this.ids.delete(e.id);
        }
      if (kept.length > 0) this.queues.set(tenant, kept);
      else this.queues.delete(tenant);
    }
    this.order = this.order.filter((t) => this.queues.has(t));
    return removed;
  }

  entries(): Queued<T>[] {
    return [...this.queues.values()].flat();
  }
}

/** The default cap: every slot but one when there are two or more, so another tenant can start. */
export function defaultPerTenant(slots: number): number {
  return Math.max(1, slots - 1);
}
