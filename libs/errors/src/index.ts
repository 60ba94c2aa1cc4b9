/**
 * The one error base of simstream. Every error we throw has a stable `code` (documented in
 * docs/errors.md, checked by a test), says whether retrying can help, and keeps its cause.
 * Mapping to gRPC status codes or HTTP problem documents happens only at the edges.
 */

export interface SimstreamErrorOptions {
  readonly retriable?: boolean;
  readonly cause?: unknown;
}

export class SimstreamError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: SimstreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** One reason a value was refused, naming the field path (e.g. `fields[2].shape`). */
export interface FieldViolation {
  readonly field: string;
  readonly reason: string;
  readonly description: string;
}

/** Input that can never succeed as sent: a client error, never retriable. */
export class ValidationError extends SimstreamError {
  readonly violations: readonly FieldViolation[];

  constructor(violations: readonly FieldViolation[], options: { cause?: unknown } = {}) {
    const first = violations[0];
    const summary = first === undefined ? 'invalid input' : `${first.field}: ${first.description}`;
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
    super('INVALID_ARGUMENT', summary + more, { retriable: false, cause: options.cause });
    this.violations = violations;
  }
}

/** Configuration from the environment is missing or wrong; lists every problem at once. */
export class ConfigError extends SimstreamError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

/**
 * The request is well-formed but not valid in the current state (e.g. a step that is not after
 * the last one). `code` names the precondition; retrying the same request will not help.
 */
export class FailedPreconditionError extends SimstreamError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}

/**
 * The thing asked for does not exist for this caller. `code` names it (SIMULATION_NOT_FOUND,
 * JOB_NOT_FOUND …). Things of another tenant are "not found" too, so ids cannot be probed.
 */
export class NotFoundError extends SimstreamError {
  constructor(code: string, message: string) {
    super(code, message, { retriable: false });
  }
}

/** A dependency (Kafka, a database, a downstream service) cannot be reached right now. */
export class UnavailableError extends SimstreamError {
  readonly dependency: string;

  constructor(dependency: string, message: string, options: { cause?: unknown } = {}) {
    super('UNAVAILABLE', `${dependency}: ${message}`, { retriable: true, cause: options.cause });
    this.dependency = dependency;
  }
}

/** The caller cancelled, or a deadline passed, before the work finished. */
export class CancelledError extends SimstreamError {
  constructor(message = 'operation cancelled', options: { cause?: unknown } = {}) {
    super('CANCELLED', message, { retriable: false, cause: options.cause });
  }
}

/**
 * The operation lost a race it cannot win by retrying as is: e.g. a newer stream took over the
 * simulation. Not retriable by the same caller (a reconnect would take it back again).
 */
export class AbortedError extends SimstreamError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}

/**
 * A limit (size, in-flight bytes, rate, a tenant's share) was exceeded. `options.code` names the
 * limit for clients (e.g. SOLVER_BUSY, documented); RESOURCE_EXHAUSTED when none is given.
 */
export class LimitExceededError extends SimstreamError {
  readonly limit: string;

  constructor(limit: string, message: string, options: SimstreamErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'RESOURCE_EXHAUSTED', message, options);
    this.limit = limit;
  }
}

/** The caller did not prove who it is (no, malformed, unknown, wrong or expired credential). */
export class UnauthenticatedError extends SimstreamError {
  constructor(code: 'AUTH_REQUIRED' | 'AUTH_INVALID' | 'AUTH_EXPIRED', message: string) {
    super(code, message, { retriable: false });
  }
}

/** The caller is known but may not do this (a missing scope, a service not allowed to call). */
export class PermissionDeniedError extends SimstreamError {
  constructor(code: string, message: string) {
    super(code, message, { retriable: false });
  }
}

/** Too many failed sign-in attempts for a key or from an address: wait `retryAfterSeconds`. */
export class TooManyAttemptsError extends SimstreamError {
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super('AUTH_RATE_LIMITED', message, { retriable: true });
  }
}

/** True for errors that are worth retrying: ours that say so, and nothing else by default. */
export function isRetriable(error: unknown): boolean {
  return error instanceof SimstreamError ? error.retriable : false;
}

/** The message of anything thrown, for logs and error details. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
