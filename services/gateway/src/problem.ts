/**
 * HTTP problem documents (RFC 9457, application/problem+json) at the edge: our errors become
 * `{type, title, status, detail, instance, code, violations?}` with a stable `code` from
 * docs/errors.md. Pure: the Fastify error handler only sends what `toProblem` returns.
 */
import {
  CancelledError,
  FailedPreconditionError,
  LimitExceededError,
  SimstreamError,
  UnavailableError,
  ValidationError,
  type FieldViolation,
} from '@simstream/errors';
import { UploadError } from '@simstream/uploads';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An error that already knows its HTTP status (and extra headers such as Retry-After). */
export class HttpError extends SimstreamError {
  readonly status: number;
  readonly violations: readonly FieldViolation[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: {
      violations?: readonly FieldViolation[];
      headers?: Record<string, string>;
      retriable?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, { retriable: options.retriable ?? status >= 500, cause: options.cause });
    this.status = status;
    this.violations = options.violations ?? [];
    this.headers = options.headers ?? {};
  }
}

/** 400 with field violations (query string, path, body or a frame inside it). */
export function badRequest(violations: readonly FieldViolation[], code = 'INVALID_ARGUMENT'): HttpError {
  const first = violations[0];
  const summary = first === undefined ? 'invalid request' : `${first.field}: ${first.description}`;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  return new HttpError(400, code, summary + more, { violations });
}

export function notFound(code: string, message: string): HttpError {
  return new HttpError(404, code, message);
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code: string;
  readonly violations?: readonly FieldViolation[];
  readonly retriable: boolean;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface ProblemResponse {
  readonly status: number;
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
}

/** Fastify's own errors (body parsing, limits, schema validation) by their codes. */
function fastifyError(error: {
  code?: string;
  statusCode?: number;
  message: string;
  validation?: unknown;
}): HttpError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(413, 'BODY_TOO_LARGE', 'request body is larger than this route accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', error.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest([{ field: 'body', reason: 'BODY_EMPTY', description: 'a JSON body is required' }]);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new HttpError(414, 'URI_TOO_LONG', 'a path parameter is longer than any valid value');
    case 'FST_ERR_BAD_URL':
      return new HttpError(400, 'MALFORMED_REQUEST', 'the URL cannot be decoded');
    case 'FST_ERR_CTP_EMPTY_TYPE':
      return new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type header is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON':
      return new HttpError(400, 'MALFORMED_JSON', `body is not valid JSON: ${error.message}`);
    default:
      break;
  }
  if (error.statusCode === 400 && /JSON/i.test(error.message) && error.validation === undefined)
    return new HttpError(400, 'MALFORMED_JSON', `body is not valid JSON: ${error.message}`);
  return undefined;
}

/** Ajv errors as field violations (`body.frames[2].step`, `querystring.limit`). */
export function ajvViolations(
  validation: readonly { instancePath?: string; message?: string; keyword?: string; params?: unknown }[],
  context: string,
): FieldViolation[] {
  return validation.map((v) => {
    const params = (v.params ?? {}) as Record<string, unknown>;
    let path = (v.instancePath ?? '')
      .split('/')
      .filter((p) => p !== '')
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
      .join('');
    if (typeof params.missingProperty === 'string') path += `.${params.missingProperty}`;
    if (typeof params.additionalProperty === 'string') path += `.${params.additionalProperty}`;
    return {
      field: `${context}${path}`,
      reason: `SCHEMA_${(v.keyword ?? 'invalid').replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
      description: v.message ?? 'invalid',
    };
  });
}

function asHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof UploadError)
    return new HttpError(error.status, error.code, error.message, { violations: error.violations });
  if (error instanceof ValidationError) return badRequest(error.violations);
  if (error instanceof FailedPreconditionError) return new HttpError(409, error.code, error.message);
  if (error instanceof LimitExceededError)
    return new HttpError(429, error.code, error.message, { headers: { 'retry-after': '1' } });
  if (error instanceof UnavailableError)
    return new HttpError(503, error.code, error.message, { headers: { 'retry-after': '5' } });
  if (error instanceof CancelledError) return new HttpError(499, error.code, error.message);
  const e = error as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  if (Array.isArray(e.validation)) {
    const context = (e as { validationContext?: string }).validationContext ?? 'body';
    return badRequest(ajvViolations(e.validation as [], context));
  }
  const known = fastifyError({ ...e, message: e.message ?? '' });
  if (known !== undefined) return known;
  // Our own failures: the code is stable and documented, the message may hold internals (log only).
  if (error instanceof SimstreamError)
    return error.retriable
      ? new HttpError(503, error.code, 'a dependency is unavailable; retry later', {
          headers: { 'retry-after': '5' },
        })
      : new HttpError(500, error.code, 'internal error');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return new HttpError(e.statusCode, 'INVALID_ARGUMENT', e.message ?? 'bad request');
  return new HttpError(500, 'INTERNAL', 'internal error');
}

/**
 * The problem document (and headers) for anything thrown by a route. 5xx details name the
 * request id: what the caller quotes to an operator, who finds the cause in the log.
 */
export function toProblem(error: unknown, instance?: string, requestId?: string): ProblemResponse {
  const http = asHttpError(error);
  const problem: Problem = {
    type: `urn:simstream:error:${http.code}`,
    title: TITLES[http.status] ?? 'Error',
    status: http.status,
    detail:
      http.status >= 500 && requestId !== undefined
        ? `${http.message} (request id ${requestId})`
        : http.message,
    ...(instance === undefined ? {} : { instance }),
    code: http.code,
    ...(http.violations.length > 0 ? { violations: http.violations } : {}),
    retriable: http.retriable,
  };
  return { status: http.status, problem, headers: http.headers };
}
