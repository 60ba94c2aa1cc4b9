/**
 * Our errors as gRPC statuses, at the edge only: ValidationError → INVALID_ARGUMENT with field
 * violations, LimitExceeded → RESOURCE_EXHAUSTED, Unavailable → UNAVAILABLE, Cancelled →
 * CANCELLED, Aborted → ABORTED, anything else → INTERNAL (with the message, never a stack).
 */
import { status as Status, type StatusObject, Metadata } from '@grpc/grpc-js';
import {
  AbortedError,
  CancelledError,
  FailedPreconditionError,
  NotFoundError,
  LimitExceededError,
  PermissionDeniedError,
  TooManyAttemptsError,
  UnauthenticatedError,
  SimstreamError,
  UnavailableError,
  ValidationError,
  messageOf,
  type FieldViolation,
} from '@simstream/errors';

export { Status };

export interface ErrorStatus {
  readonly code: Status;
  /** Stable reason (error code or first violation's reason). */
  readonly reason: string;
  readonly message: string;
  readonly violations: readonly FieldViolation[];
}

export function errorStatus(error: unknown): ErrorStatus {
  if (error instanceof ValidationError) {
    return {
      code: Status.INVALID_ARGUMENT,
      reason: error.violations[0]?.reason ?? error.code,
      message: error.message,
      violations: error.violations,
    };
  }
  if (error instanceof NotFoundError) {
    return { code: Status.NOT_FOUND, reason: error.code, message: error.message, violations: [] };
  }
  if (error instanceof FailedPreconditionError) {
    return { code: Status.FAILED_PRECONDITION, reason: error.code, message: error.message, violations: [] };
  }
  if (error instanceof UnauthenticatedError)
    return { code: Status.UNAUTHENTICATED, reason: error.code, message: error.message, violations: [] };
  if (error instanceof PermissionDeniedError)
    return { code: Status.PERMISSION_DENIED, reason: error.code, message: error.message, violations: [] };
  if (error instanceof LimitExceededError || error instanceof TooManyAttemptsError)
    return { code: Status.RESOURCE_EXHAUSTED, reason: error.code, message: error.message, violations: [] };
  if (error instanceof UnavailableError)
    return { code: Status.UNAVAILABLE, reason: error.code, message: error.message, violations: [] };
  if (error instanceof AbortedError)
    return { code: Status.ABORTED, reason: error.code, message: error.message, violations: [] };
  if (error instanceof CancelledError)
    return { code: Status.CANCELLED, reason: error.code, message: error.message, violations: [] };
  if (error instanceof SimstreamError) {
    const code =
      error.code === 'FAILED_PRECONDITION'
        ? Status.FAILED_PRECONDITION
        : error.retriable
          ? Status.UNAVAILABLE
          : Status.INTERNAL;
    return { code, reason: error.code, message: error.message, violations: [] };
  }
  return { code: Status.INTERNAL, reason: 'INTERNAL', message: messageOf(error), violations: [] };
}

/** A StatusObject for ending a call, with the reason in the `simstream-reason` trailer. */
export function toStatusObject(error: unknown): Partial<StatusObject> & { code: Status; details: string } {
  const status = errorStatus(error);
  const metadata = new Metadata();
  metadata.set('simstream-reason', status.reason);
  for (const v of status.violations.slice(0, 20))
    metadata.add('simstream-field-violation', `${v.field}: ${v.reason}: ${v.description}`);
  return { code: status.code, details: status.message, metadata };
}
