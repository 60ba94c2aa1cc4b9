/**
 * Which errors are the caller's fault, whatever layer they come from: a gRPC status of the
 * client kind (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, UNAUTHENTICATED,
 * FAILED_PRECONDITION, OUT_OF_RANGE, RESOURCE_EXHAUSTED: a per-tenant cap), an HTTP status
 * 4xx, or one of our errors with a client code. Breakers never count these as failures of the
 * dependency: otherwise one tenant's bad requests would cut the dependency off for every tenant.
 */

/** gRPC status codes (numbers, so this lib needs no gRPC dependency). */
const CLIENT_GRPC_CODES = new Set([
  3, // INVALID_ARGUMENT
  5, // NOT_FOUND
  6, // ALREADY_EXISTS
  7, // PERMISSION_DENIED
  8, // RESOURCE_EXHAUSTED
  9, // FAILED_PRECONDITION
  11, // OUT_OF_RANGE
  16, // UNAUTHENTICATED
]);

/** Codes of our errors (libs/errors) that always mean a refused request, never a broken dependency. */
const CLIENT_CODES = new Set(['INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION']);

export function isClientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown; metadata?: unknown };
  // A raw grpc-js ServiceError: numeric code and metadata.
  if (typeof e.code === 'number' && 'metadata' in e) return CLIENT_GRPC_CODES.has(e.code);
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  // 408 (the client was too slow) and 429 (a cap) are the caller's too.
  if (typeof status === 'number') return status >= 400 && status < 500 && status !== 499;
  return typeof e.code === 'string' && CLIENT_CODES.has(e.code);
}
