import { describe, expect, it } from 'vitest';
import type { pb } from '@simstream/contracts';
import { ValidationError } from '@simstream/errors';
import { toResult } from './convert.js';
import { resultsQuery, simulationsQuery } from './requests.js';

const request = (extra: Partial<pb.ListResultsRequest__Output> = {}): pb.ListResultsRequest__Output => ({
  tenant: 'acme',
  simulationId: 'sim-1',
  kind: 'RESULT_KIND_NEUROMORPHIC',
  pageSize: 0,
  pageToken: '',
  ...extra,
});

function reasons(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.violations.map((v) => v.reason);
    throw error;
  }
  return [];
}

describe('requests', () => {
  it('reports every problem of a request at once', () => {
    expect(
      reasons(() =>
        resultsQuery(
          request({
            tenant: 'ACME',
            simulationId: '',
            kind: 'RESULT_KIND_UNSPECIFIED',
            fromStep: 5,
            toStep: 1,
          }),
        ),
      ),
    ).toEqual(['TENANT_INVALID', 'SIMULATION_ID_INVALID', 'KIND_REQUIRED', 'STEP_RANGE_INVALID']);
  });

  it('defaults and caps page sizes', () => {
    expect(resultsQuery(request()).pageSize).toBe(100);
    expect(resultsQuery(request({ pageSize: 5000 })).pageSize).toBe(1000);
    expect(simulationsQuery({ tenant: 'acme', pageSize: 0, pageToken: '' }).pageSize).toBe(50);
  });

  it('round-trips page tokens and refuses them for another query', () => {
    const q = resultsQuery(request({ fromStep: 3 }));
    const token = q.next(41);
    expect(resultsQuery(request({ fromStep: 3, pageToken: token })).afterStep).toBe(41);
    expect(reasons(() => resultsQuery(request({ fromStep: 4, pageToken: token })))).toEqual([
      'PAGE_TOKEN_INVALID',
    ]);
    expect(reasons(() => resultsQuery(request({ fromStep: 3, tenant: 'other', pageToken: token })))).toEqual([
      'PAGE_TOKEN_INVALID',
    ]);
    expect(reasons(() => resultsQuery(request({ pageToken: 'garbage' })))).toEqual(['PAGE_TOKEN_INVALID']);
    const sims = simulationsQuery({ tenant: 'acme', pageSize: 2, pageToken: '' });
    expect(simulationsQuery({ tenant: 'acme', pageSize: 2, pageToken: sims.next('sim-9') }).after).toBe(
      'sim-9',
    );
  });

  it('gives each page of each filter its own cache key', () => {
    const a = resultsQuery(request());
    const b = resultsQuery(request({ pageToken: a.next(99) }));
    const c = resultsQuery(request({ toTimeMs: 5 }));
    expect(new Set([a.cacheKey, b.cacheKey, c.cacheKey]).size).toBe(3);
  });
});

describe('toResult', () => {
  it('maps a quantum row, with JSON nulls (cached NaN) back to NaN and the solution to bytes', () => {
    const result = toResult('sim-1', 'quantum', {
      step: 20,
      simTime: null,
      producedAtMs: 7,
      score: -3,
      payload: {
        energy: -3,
        cut: null,
        imbalance: 0.1,
        solution: 'AAEB',
        sweeps: 10,
        cached: true,
        stoppedBy: 'target',
      },
    });
    expect(result).toMatchObject({ simulationId: 'sim-1', step: 20, kind: 'RESULT_KIND_QUANTUM', score: -3 });
    expect(result.simTime).toBeNaN();
    expect(result.quantum).toMatchObject({
      energy: -3,
      imbalance: 0.1,
      sweeps: 10,
      cached: true,
      stoppedBy: 'target',
    });
    expect(result.quantum?.cut).toBeUndefined();
    expect(result.quantum?.solution).toEqual(Buffer.from([0, 1, 1]));
  });
});

describe('numeric ranges', () => {
  it('refuses steps and times no row can have, naming the field, before any SQL runs', () => {
    const violations = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        if (error instanceof ValidationError) return error.violations.map((v) => `${v.field}:${v.reason}`);
        throw error;
      }
      return [];
    };
    expect(violations(() => resultsQuery(request({ fromStep: 1e20 })))).toEqual(['from_step:OUT_OF_RANGE']);
    expect(violations(() => resultsQuery(request({ toStep: 2 ** 63, fromTimeMs: 1e17 })))).toEqual([
      'to_step:OUT_OF_RANGE',
      'from_time_ms:OUT_OF_RANGE',
    ]);
    expect(violations(() => resultsQuery(request({ fromStep: Number.MAX_SAFE_INTEGER })))).toEqual([]);
  });
});
