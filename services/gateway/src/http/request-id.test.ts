import { describe, expect, it } from 'vitest';
import { requestId } from './request-id.js';
import { clientErrorResponse } from './client-errors.js';
import { nonFiniteViolations } from './finite-numbers.js';

describe('requestId', () => {
  it('keeps a safe caller id and replaces anything else with a fresh UUID', () => {
    expect(requestId('trace-42:a.b_c')).toBe('trace-42:a.b_c');
    for (const bad of ['x\nfake log line', '', 'a'.repeat(129), '<script>', undefined, ['a', 'b']])
      expect(requestId(bad)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('clientErrorResponse', () => {
  it('answers a request the HTTP parser refused (Content-Length: -1) with problem+json', () => {
    const raw = clientErrorResponse(
      Object.assign(new Error('Invalid'), { code: 'HPE_INVALID_CONTENT_LENGTH' }),
    );
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1.1 400 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(body!)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
  });
});

describe('nonFiniteViolations', () => {
  it('names every query parameter Ajv let through as Infinity', () => {
    expect(nonFiniteViolations({ to_step: Infinity, limit: 10, kind: 'x' })).toEqual([
      { field: 'querystring.to_step', reason: 'OUT_OF_RANGE', description: 'must be a finite number' },
    ]);
    expect(nonFiniteViolations({ a: [1, -Infinity] })).toHaveLength(1);
  });
});
