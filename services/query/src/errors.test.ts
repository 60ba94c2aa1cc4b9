import { status as Status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { SimstreamError, UnavailableError } from '@simstream/errors';
import { grpcStatus } from './errors.js';

describe('grpcStatus', () => {
  it('never sends SQL or internal error text to a caller', () => {
    const sql = new SimstreamError(
      'DATABASE_ERROR',
      'query: value "99999999999999999999" is out of range for type bigint (SQLSTATE 22003)',
    );
    const status = grpcStatus(sql);
    expect(status.code).toBe(Status.INTERNAL);
    expect(status.details).not.toMatch(/SQLSTATE|bigint|99999/);
    expect(status.metadata?.get('simstream-reason')).toEqual(['INTERNAL']);
    expect(grpcStatus(new TypeError('x.y is undefined')).details).not.toMatch(/undefined/);
    const down = grpcStatus(new UnavailableError('postgres', 'connect ECONNREFUSED 10.0.0.7:5432'));
    expect(down.code).toBe(Status.UNAVAILABLE);
    expect(down.details).not.toMatch(/10\.0\.0\.7/);
  });
});
