import { describe, expect, it } from 'vitest';
import { Metadata, status } from '@grpc/grpc-js';
import { downstreamError } from '../downstream/grpc-errors.js';
import { toProblem } from '../problem.js';
import { UploadBudgets, ingestionBusy } from './upload-budgets.js';

describe('UploadBudgets', () => {
  it('keeps one tenant to its share while others still upload, and never quotes the budgets', () => {
    const budgets = new UploadBudgets(256, 128);
    const a1 = budgets.reserve('a', 64);
    budgets.reserve('a', 64);
    let refusal: unknown;
    try {
      budgets.reserve('a', 64);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ status: 429, code: 'TENANT_UPLOADS_BUSY' });
    expect((refusal as { headers: Record<string, string> }).headers['retry-after']).toBeDefined();
    expect((refusal as Error).message).not.toMatch(/\d{2,}/);
    const b = budgets.reserve('b', 64);
    expect(budgets.usedBy('b')).toBe(64);
    a1.release();
    a1.release();
    expect(budgets.usedBy('a')).toBe(64);
    b.release();
    expect(budgets.used).toBe(64);
  });

  it('answers 503 UPLOADS_BUSY for the replica budget, and counts decoded bytes on the same hold', () => {
    const budgets = new UploadBudgets(100, 100);
    const a = budgets.reserve('a', 40);
    budgets.reserve('b', 40);
    expect(() => budgets.reserve('c', 40)).toThrow(
      expect.objectContaining({ status: 503, code: 'UPLOADS_BUSY' }),
    );
    // The body inflated: its decoded size no longer fits beside the others.
    expect(() => a.grow(50)).toThrow(expect.objectContaining({ code: 'UPLOADS_BUSY' }));
    a.grow(20);
    expect(budgets.usedBy('a')).toBe(60);
    a.release();
    expect(budgets.usedBy('a')).toBe(0);
    expect(budgets.used).toBe(40);
  });
});

describe('ingestionBusy', () => {
  it("answers ingestion's RESOURCE_EXHAUSTED as 503 INGESTION_BUSY without its sizes", () => {
    const exhausted = Object.assign(new Error('8 RESOURCE_EXHAUSTED'), {
      code: status.RESOURCE_EXHAUSTED,
      details: 'in-flight bytes 268435456 + 209715200 exceed INGEST_MAX_INFLIGHT_BYTES',
      metadata: new Metadata(),
    });
    let thrown: unknown;
    try {
      ingestionBusy(downstreamError('ingestion', exhausted));
    } catch (error) {
      thrown = error;
    }
    const { status: code, problem, headers } = toProblem(thrown);
    expect(code).toBe(503);
    expect(problem.code).toBe('INGESTION_BUSY');
    expect(problem.detail).not.toMatch(/\d/);
    expect(headers['retry-after']).toBeDefined();
  });
});
