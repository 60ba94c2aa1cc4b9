import { describe, expect, it } from 'vitest';
import { SolverPool } from '@simstream/solver';
import { SolverSlots } from './solver-slots.js';

describe('SolverSlots', () => {
  it('gives out at most `size` slots and hands a released one to the next in line', async () => {
    const slots = new SolverSlots(2, () => new SolverPool({ size: 1 }));
    const a = slots.tryAcquire()!;
    const b = slots.tryAcquire()!;
    expect(a.pool).not.toBe(b.pool);
    expect(slots.tryAcquire()).toBeUndefined();
    expect(slots.busy).toBe(2);
    const waiting = slots.acquire();
    a.release();
    a.release(); // twice is once
    const c = await waiting;
    expect(c.pool).toBe(a.pool);
    expect(slots.tryAcquire()).toBeUndefined();
    b.release();
    c.release();
    expect(slots.busy).toBe(0);
    await slots.close();
  });

  it('stops waiting when the caller gives up', async () => {
    const slots = new SolverSlots(1, () => new SolverPool({ size: 1 }));
    const held = slots.tryAcquire()!;
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    held.release();
    expect(slots.busy).toBe(0);
    await slots.close();
  });
});
