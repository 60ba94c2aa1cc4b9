/**
 * gRPC statuses from downstream services as our errors, so that breakers count only the
 * dependency's failures (UNAVAILABLE, deadlines, internal errors) and the HTTP edge keeps the
 * downstream's reason (`simstream-reason` trailer) and field violations.
 */
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { CancelledError, UnavailableError, type FieldViolation } from '@simstream/errors';
import { HttpError } from '../problem.js';

function isServiceError(error: unknown): error is ServiceError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'number' &&
    'metadata' in error
  );
}

/** `field: REASON: description` trailers (libs/rpc toStatusObject) back into violations. */
function violationsOf(error: ServiceError): FieldViolation[] {
  return error.metadata.get('simstream-field-violation').map((value) => {
    const text = String(value);
    const [field = '', reason = '', ...rest] = text.split(': ');
    return rest.length === 0
      ? { field: 'body', reason: 'INVALID_ARGUMENT', description: text }
      : { field, reason, description: rest.join(': ') };
  });
}

/**
 * Our error for a failed downstream call. `notFoundCode` names what was missing
 * (SIMULATION_NOT_FOUND, JOB_NOT_FOUND).
 */
export function downstreamError(dependency: string, error: unknown, notFoundCode = 'NOT_FOUND'): Error {
  if (!isServiceError(error))
    return error instanceof Error ? error : new UnavailableError(dependency, String(error));
  const reason = error.metadata.get('simstream-reason')[0];
  const code = reason === undefined ? undefined : String(reason);
  const detail = error.details || error.message;
  switch (error.code) {
    case Status.INVALID_ARGUMENT:
    case Status.OUT_OF_RANGE: {
      const violations = violationsOf(error);
      return new HttpError(400, code ?? 'INVALID_ARGUMENT', detail, {
        violations:
          violations.length > 0
            ? violations
            : [{ field: 'body', reason: code ?? 'INVALID_ARGUMENT', description: detail }],
      });
    }
    case Status.NOT_FOUND:
      return new HttpError(404, notFoundCode, detail);
    case Status.ALREADY_EXISTS:
    case Status.FAILED_PRECONDITION:
      return new HttpError(409, code ?? 'FAILED_PRECONDITION', detail);
    case Status.RESOURCE_EXHAUSTED:
      // A cap or a busy dependency: retrying later can succeed (Retry-After says when).
      return new HttpError(429, code ?? 'RESOURCE_EXHAUSTED', detail, {
        headers: { 'retry-after': '1' },
        retriable: true,
        cause: error,
      });
    case Status.PERMISSION_DENIED:
      return new HttpError(403, code ?? 'FORBIDDEN', detail);
    case Status.CANCELLED:
      return new CancelledError(`${dependency}: ${detail}`, { cause: error });
    case Status.DEADLINE_EXCEEDED:
      return new HttpError(504, 'DOWNSTREAM_TIMEOUT', `${dependency}: deadline exceeded`, {
        retriable: true,
        cause: error,
      });
    case Status.UNAUTHENTICATED:
      // Our own credential refused (misconfiguration): a 502 for the caller, but not a failure
      // of the dependency, so it never opens the breaker that other calls share.
      return new HttpError(502, 'DOWNSTREAM_ERROR', `${dependency} refused the gateway's credentials`, {
        retriable: false,
        cause: error,
      });
    case Status.UNAVAILABLE:
      // The downstream's words (addresses, its dependencies) stay in the log.
      return new UnavailableError(dependency, 'unavailable; retry later', { cause: error });
    default:
      // INTERNAL, UNKNOWN, UNIMPLEMENTED, DATA_LOSS: the dependency is broken
      // (or we call it wrongly); retriable so that repeated failures open its breaker.
      // Its details (SQL, stack text) are logged with the request id, never answered.
      return new HttpError(502, 'DOWNSTREAM_ERROR', `${dependency} failed unexpectedly`, {
        retriable: true,
        cause: error,
      });
  }
}

/**
 * A server stream that failed without our asking: CANCELLED here means the downstream went away
 * (a server shutting down cancels its calls), which is UNAVAILABLE to our client, not its cancel.
 */
export function streamError(dependency: string, error: unknown): Error {
  if (isServiceError(error) && error.code === Status.CANCELLED)
    return new UnavailableError(dependency, `the stream was cut: ${error.details || error.message}`, {
      cause: error,
    });
  return downstreamError(dependency, error);
}
