/**
 * Things a tenant holds at once on this instance (direct solves running), with a cap, so that
 * one tenant cannot take every solver slot and leave the others only RESOURCE_EXHAUSTED. Pure.
 */
export class TenantCounts {
  private readonly counts = new Map<string, number>();

  held(tenant: string): number {
    return this.counts.get(tenant) ?? 0;
  }

  /** One more for `tenant` when it holds fewer than `cap`: the release function, else undefined. */
  tryTake(tenant: string, cap: number): (() => void) | undefined {
    const now = this.held(tenant);
    if (now >= cap) return undefined;
    this.counts.set(tenant, now + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.held(tenant) - 1;
      if (left > 0) this.counts.set(tenant, left);
      else this.counts.delete(tenant);
    };
  }
}
