import { describe, expect, it } from 'vitest';
import { groupBy, rounds } from './rounds.js';

const item = (simulationId: string, step: number) => ({ simulationId, step });

describe('rounds', () => {
  it('puts the r-th frame of every simulation in round r, keeping each simulation in order', () => {
    const items = [item('a', 1), item('b', 7), item('a', 2), item('c', 0), item('a', 3), item('b', 8)];
    expect(rounds(items).map((r) => r.map((x) => `${x.simulationId}${x.step}`))).toEqual([
      ['a1', 'b7', 'c0'],
      ['a2', 'b8'],
      ['a3'],
    ]);
  });

  it('has as many rounds as the longest simulation has frames, and loses nothing', () => {
    const items = Array.from({ length: 40 }, (_, i) => item(`s${i % 3}`, i));
    const out = rounds(items);
    expect(out).toHaveLength(14);
    expect(out.flat()).toHaveLength(40);
    expect(out.every((r) => new Set(r.map((x) => x.simulationId)).size === r.length)).toBe(true);
    expect(rounds([])).toEqual([]);
  });

  it('groups by key in order', () => {
    const groups = groupBy([1, 2, 3, 4, 5], (x) => x % 2);
    expect([...groups]).toEqual([
      [1, [1, 3, 5]],
      [0, [2, 4]],
    ]);
  });
});
