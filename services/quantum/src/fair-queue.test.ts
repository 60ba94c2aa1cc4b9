import { describe, expect, it } from 'vitest';
import { FairQueue, defaultPerTenant } from './fair-queue.js';

describe('FairQueue', () => {
  it('serves tenants in turn, not in arrival order', () => {
    const q = new FairQueue<number>();
    for (let i = 0; i < 5; i++) q.push({ tenant: 'a', id: `a${i}`, item: i });
    q.push({ tenant: 'b', id: 'b0', item: 0 });
    q.push({ tenant: 'b', id: 'b0', item: 0 }); // a duplicate (the record read again) is ignored
    const order: string[] = [];
    for (let e = q.next(() => 0, 10); e !== undefined; e = q.next(() => 0, 10)) order.push(e.id);
    expect(order).toEqual(['a0', 'b0', 'a1', 'a2', 'a3', 'a4']);
  });

  it('skips a tenant at its cap, so its flood never takes the last slot from another tenant', () => {
    const q = new FairQueue<number>();
    const running = new Map<string, number>([['a', 1]]);
    for (let i = 0; i < 3; i++) q.push({ tenant: 'a', id: `a${i}`, item: i });
    const perTenant = defaultPerTenant(2);
    expect(perTenant).toBe(1);
    expect(q.next((t) => running.get(t) ?? 0, perTenant)).toBeUndefined();
    q.push({ tenant: 'b', id: 'b0', item: 0 });
    expect(q.next((t) => running.get(t) ?? 0, perTenant)?.id).toBe('b0');
    expect(q.size).toBe(3);
    expect(q.remove((e) => e.item > 0).map((e) => e.id)).toEqual(['a1', 'a2']);
    expect(q.entries().map((e) => e.id)).toEqual(['a0']);
    expect(defaultPerTenant(1)).toBe(1);
  });
});
