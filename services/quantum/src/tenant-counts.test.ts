import { describe, expect, it } from 'vitest';
import { TenantCounts } from './tenant-counts.js';

describe('TenantCounts', () => {
  it('caps each tenant on its own and frees once per release', () => {
    const counts = new TenantCounts();
    const a = counts.tryTake('a', 1)!;
    expect(counts.tryTake('a', 1)).toBeUndefined();
    expect(counts.tryTake('b', 1)).toBeDefined();
    a();
    a();
    expect(counts.held('a')).toBe(0);
    expect(counts.tryTake('a', 1)).toBeDefined();
  });
});
