import { describe, expect, it } from 'vitest';
import { planBatch } from './batch-plan.js';
import type { FrameRow, ResultRow } from './rows.js';

const frame = (simulationId: string, step: number, extra: Partial<FrameRow> = {}): FrameRow => ({
  simulationId,
  tenant: 'acme',
  step,
  simTime: step / 10,
  frameId: `00000000-0000-0000-0000-${String(step).padStart(12, '0')}`,
  ingestedAtMs: 1000 + step,
  bytes: 100,
  partition: 0,
  offset: step,
  fields: [],
  attributes: { kind: 'gray-scott', preset: `p${step}` },
  ...extra,
});

const result = (simulationId: string, step: number, score: number): ResultRow => ({
  simulationId,
  kind: 'neuromorphic',
  step,
  simTime: step,
  score,
  payload: { anomalyScore: score },
  producedAtMs: 5000 + step,
});

describe('planBatch', () => {
  it('keeps the last record per identity and bounds each simulation', () => {
    const plan = planBatch(
      [frame('b', 3), frame('b', 1), frame('b', 3, { frameId: 'later' }), frame('a', 7)],
      [result('b', 1, 0.1), result('b', 1, 0.9), result('c', 4, 0.5)],
      [],
    );
    expect(plan.frames.map((f) => [f.simulationId, f.step, f.frameId.slice(-2)])).toEqual([
      ['b', 1, '01'],
      ['b', 3, 'er'],
      ['a', 7, '07'],
    ]);
    expect(plan.results.map((r) => [r.simulationId, r.step, r.score])).toEqual([
      ['b', 1, 0.9],
      ['c', 4, 0.5],
    ]);
    // Sorted by id: the lock order of the transaction.
    expect(plan.simulations.map((s) => s.simulationId)).toEqual(['a', 'b', 'c']);
    const b = plan.simulations[1]!;
    expect(b).toMatchObject({
      tenant: 'acme',
      kind: 'gray-scott',
      firstStep: 1,
      lastStep: 3,
      firstSeenMs: 1001,
    });
    expect(b.attributes).toEqual({ kind: 'gray-scott', preset: 'p3' }); // from the highest step
    expect(b.lastSeenMs).toBe(5001); // results count as activity
  });

  it('leaves the tenant empty for simulations seen only through results', () => {
    const plan = planBatch([], [result('x', 2, 0.3)], []);
    expect(plan.simulations).toEqual([
      {
        simulationId: 'x',
        tenant: '',
        kind: undefined,
        attributes: undefined,
        firstStep: undefined,
        lastStep: undefined,
        firstSeenMs: 5002,
        lastSeenMs: 5002,
      },
    ]);
  });
});
