import { describe, expect, it } from 'vitest';
import { UploadBudget } from './upload-budget.js';

describe('UploadBudget', () => {
  it('admits uploads up to the limit, refuses past it, and frees on release (once)', () => {
    const seen: number[] = [];
    const budget = new UploadBudget(100, (n) => seen.push(n));
    const a = budget.tryReserve(60)!;
    expect(budget.tryReserve(50)).toBeUndefined();
    const b = budget.tryReserve(40)!;
    expect(budget.used).toBe(100);
    a();
    a();
    expect(budget.used).toBe(40);
    b();
    // Alone, an upload larger than the whole budget still passes.
    const big = budget.tryReserve(500)!;
    expect(budget.tryReserve(1)).toBeUndefined();
    big();
    expect(seen).toEqual([60, 100, 40, 0, 500, 0]);
  });
});
