import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Frame, QuantumResult } from '@simstream/contracts';
import { frameRow, jobUpdate, quantumRow } from './rows.js';

const quantum = (extra: Partial<QuantumResult> = {}): QuantumResult => ({
  source: 'frame',
  simulationId: 'sim-1',
  step: 23,
  bucketStep: 20,
  jobId: null,
  problemKind: 'partition',
  problemHash: 'h',
  variables: 3,
  solver: 'sa',
  backend: 'cpu',
  energy: -4.5,
  cut: 2,
  imbalance: null,
  solution: Buffer.from([0, 1, 1]),
  reads: 1,
  sweeps: 100,
  timeToBestMs: 1,
  totalMs: 2,
  stoppedBy: 'completed',
  cached: false,
  producedAt: 1_700_000_000_000,
  ...extra,
});

describe('rows', () => {
  it('summarises each field of a frame, compressed or not', async () => {
    const values = Float32Array.from([1, 2, 3, 4]);
    const raw = Buffer.from(values.buffer);
    const frame: Frame = {
      frameId: '6f1c3e4a-8f0b-4c56-9a7e-2b1d0c9e8f7a',
      simulationId: 'sim-1',
      step: 5,
      simTime: 0.5,
      fields: [
        { name: 'u', dtype: 'float32', shape: [2, 2], codec: 'none', data: raw },
        { name: 'v', dtype: 'float32', shape: [4], codec: 'deflate', data: deflateSync(raw) },
      ],
      attributes: { kind: 'lbm' },
      ingestedAt: 123,
      tenant: 'acme',
    };
    const row = await frameRow(frame, { partition: 3, offset: 42, bytes: 999 });
    expect(row.fields[0]).toMatchObject({ name: 'u', shape: [2, 2], bytes: 16, min: 1, max: 4, mean: 2.5 });
    expect(row.fields[1]).toMatchObject({
      name: 'v',
      codec: 'deflate',
      min: 1,
      max: 4,
      mean: 2.5,
      nonFinite: 0,
    });
    expect(row.fields[1]!.l2).toBeCloseTo(Math.sqrt(30), 12);
    expect(row).toMatchObject({ tenant: 'acme', partition: 3, offset: 42, bytes: 999, ingestedAtMs: 123 });
    await expect(
      frameRow({ ...frame, frameId: 'nope' }, { partition: 0, offset: 0, bytes: 0 }),
    ).rejects.toMatchObject({
      code: 'RECORD_INVALID',
    });
  });

  it('keys frame-derived quantum results by bucket, falling back to the step', () => {
    expect(quantumRow(quantum())).toMatchObject({
      step: 20,
      score: -4.5,
      payload: { triggerStep: 23, solution: 'AAEB' },
    });
    expect(quantumRow(quantum({ bucketStep: null }))).toMatchObject({ step: 23 });
    expect(() => quantumRow(quantum({ simulationId: null }))).toThrow(/simulationId/);
  });

  it('turns a job result into a completion: cancelled stays cancelled, otherwise succeeded', () => {
    const id = 'A1B2C3D4-0000-4000-8000-000000000001';
    expect(jobUpdate(quantum({ source: 'job', jobId: id }))).toMatchObject({
      jobId: id.toLowerCase(),
      status: 'succeeded',
      finishedAtMs: 1_700_000_000_000,
    });
    expect(jobUpdate(quantum({ source: 'job', jobId: id, stoppedBy: 'cancelled' })).status).toBe('cancelled');
    expect(() => jobUpdate(quantum({ source: 'job', jobId: 'x' }))).toThrow(/UUID/);
  });
});
