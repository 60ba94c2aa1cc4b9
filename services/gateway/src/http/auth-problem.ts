/**
 * Authentication failures as HTTP problems (RFC 6750 challenges): 401 with
 * `WWW-Authenticate: Bearer …`, 403 naming the missing scope, 429 with Retry-After after too
 * many failed sign-ins. Anything else passes through to the generic mapping.
 */
import { InsufficientScopeError } from '@simstream/auth';
import { TooManyAttemptsError, UnauthenticatedError } from '@simstream/errors';
import { HttpError } from '../problem.js';

const CHALLENGE = 'Bearer realm="simstream"';

export function authProblem(error: unknown): unknown {
  if (error instanceof UnauthenticatedError)
    return new HttpError(401, error.code, error.message, {
      headers: {
        'www-authenticate':
          error.code === 'AUTH_REQUIRED' ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`,
      },
    });
  if (error instanceof InsufficientScopeError)
    return new HttpError(403, error.code, error.message, {
      headers: {
        'www-authenticate': `${CHALLENGE}, error="insufficient_scope", scope="${error.scope}"`,
      },
    });
  if (error instanceof TooManyAttemptsError)
    return new HttpError(429, error.code, error.message, {
      retriable: true,
      headers: { 'retry-after': String(error.retryAfterSeconds) },
    });
  return error;
}
