import { describe, expect, it } from 'vitest';
import { Metadata, status as grpcStatus } from '@grpc/grpc-js';
import { LimitExceededError, SimstreamError, UnavailableError, ValidationError } from '@simstream/errors';
import { BreakerOpenError } from '@simstream/resilience';
import { UploadError } from '@simstream/uploads';
import { downstreamError } from './downstream/grpc-errors.js';
import { HttpError, ajvViolations, toProblem } from './problem.js';

describe('toProblem', () => {
  it('renders our errors as RFC 9457 documents with a stable code', () => {
    const { status, problem, headers } = toProblem(
      new ValidationError([{ field: 'x', reason: 'BAD', description: 'bad x' }]),
      '/v1/x',
    );
    expect(status).toBe(400);
    expect(problem).toMatchObject({
      type: 'urn:simstream:error:INVALID_ARGUMENT',
      title: 'Bad Request',
      status: 400,
      code: 'INVALID_ARGUMENT',
      instance: '/v1/x',
      violations: [{ field: 'x', reason: 'BAD', description: 'bad x' }],
      retriable: false,
    });
    expect(headers).toEqual({});
    expect(toProblem(new BreakerOpenError('query-read'))).toMatchObject({
      status: 503,
      problem: { code: 'UNAVAILABLE', retriable: true },
      headers: { 'retry-after': '5' },
    });
    expect(toProblem(new UnavailableError('query', 'down')).status).toBe(503);
    expect(toProblem(new LimitExceededError('x', 'too much')).status).toBe(429);
    expect(toProblem(new HttpError(409, 'SIMULATION_ID_UNAVAILABLE', 'taken')).problem.code).toBe(
      'SIMULATION_ID_UNAVAILABLE',
    );
  });

  it("maps Fastify's body and validation errors to precise problems", () => {
    expect(
      toProblem({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'too large' }),
    ).toMatchObject({
      status: 413,
      problem: { code: 'BODY_TOO_LARGE' },
    });
    expect(
      toProblem({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'nope' }).problem.code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(
      toProblem({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400, message: 'empty' }).problem,
    ).toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [{ reason: 'BODY_EMPTY' }],
    });
    const bad = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), {
      statusCode: 400,
    });
    expect(toProblem(bad).problem.code).toBe('MALFORMED_JSON');
    const validation = Object.assign(new Error('body/frames/0 must have required property step'), {
      statusCode: 400,
      validationContext: 'body',
      validation: [
        {
          instancePath: '/frames/0',
          keyword: 'required',
          params: { missingProperty: 'step' },
          message: "must have required property 'step'",
        },
        {
          instancePath: '/frames/1/fields/0/dtype',
          keyword: 'enum',
          params: {},
          message: 'must be equal to one of the allowed values',
        },
      ],
    });
    expect(toProblem(validation).problem.violations).toEqual([
      {
        field: 'body.frames[0].step',
        reason: 'SCHEMA_REQUIRED',
        description: "must have required property 'step'",
      },
      {
        field: 'body.frames[1].fields[0].dtype',
        reason: 'SCHEMA_ENUM',
        description: 'must be equal to one of the allowed values',
      },
    ]);
  });

  it('answers upload decoder errors with the status they carry (413, 422) and their violations', () => {
    const timeout = toProblem(new UploadError(422, 'UPLOAD_DECODE_TIMEOUT', 'decoding took too long'));
    expect(timeout.status).toBe(422);
    expect(timeout.problem).toMatchObject({
      title: 'Unprocessable Content',
      code: 'UPLOAD_DECODE_TIMEOUT',
      retriable: false,
    });
    const step = { field: 'body.rows[0].step', reason: 'STEP_INVALID', description: 'step -1' };
    const invalid = toProblem(new UploadError(400, 'INVALID_ARGUMENT', 'bad step', { violations: [step] }));
    expect(invalid.status).toBe(400);
    expect(invalid.problem.violations).toEqual([step]);
    expect(toProblem(new UploadError(413, 'UPLOAD_DECODED_TOO_LARGE', 'too large')).status).toBe(413);
  });

  it('never leaks an unexpected error message', () => {
    expect(toProblem(new TypeError('secret internals'))).toMatchObject({
      status: 500,
      problem: { code: 'INTERNAL', detail: 'internal error' },
    });
  });

  it('names additional properties and query parameters in violations', () => {
    expect(
      ajvViolations(
        [
          {
            instancePath: '',
            keyword: 'additionalProperties',
            params: { additionalProperty: 'foo' },
            message: 'must NOT have additional properties',
          },
        ],
        'querystring',
      ),
    ).toEqual([
      {
        field: 'querystring.foo',
        reason: 'SCHEMA_ADDITIONAL_PROPERTIES',
        description: 'must NOT have additional properties',
      },
    ]);
  });
});

describe('problems never echo internals', () => {
  it('answers our own failures and a downstream INTERNAL with a generic detail naming the request id', () => {
    const sql = new SimstreamError('DATABASE_ERROR', 'query: bigint out of range (SQLSTATE 22003)');
    const ours = toProblem(sql, '/v1/x', 'req-1');
    expect(ours.status).toBe(500);
    expect(ours.problem.detail).toBe('internal error (request id req-1)');
    const internal = Object.assign(new Error('13 INTERNAL: value out of range for type bigint'), {
      code: grpcStatus.INTERNAL,
      details: 'value "99999999999999999999" is out of range for type bigint',
      metadata: new Metadata(),
    });
    const downstream = toProblem(downstreamError('query', internal), '/v1/x', 'req-2');
    expect(downstream.status).toBe(502);
    expect(downstream.problem.detail).not.toMatch(/bigint|9999/);
    expect(downstream.problem.detail).toMatch(/req-2/);
  });

  it('answers a downstream UNAUTHENTICATED as 502 that a breaker does not count (not retriable)', () => {
    const refused = Object.assign(new Error('16'), {
      code: grpcStatus.UNAUTHENTICATED,
      details: 'bad token',
      metadata: new Metadata(),
    });
    const error = downstreamError('query', refused);
    expect(error).toMatchObject({ status: 502, retriable: false });
    expect(toProblem(error).problem.detail).not.toMatch(/bad token/);
  });

  it('marks a downstream RESOURCE_EXHAUSTED retriable beside its Retry-After', () => {
    const busy = Object.assign(new Error('8'), {
      code: grpcStatus.RESOURCE_EXHAUSTED,
      details: 'all 2 solver slots are busy',
      metadata: new Metadata(),
    });
    busy.metadata.set('simstream-reason', 'SOLVER_BUSY');
    const answer = toProblem(downstreamError('quantum', busy));
    expect(answer).toMatchObject({ status: 429, problem: { code: 'SOLVER_BUSY', retriable: true } });
    expect(answer.headers['retry-after']).toBeDefined();
  });
});
