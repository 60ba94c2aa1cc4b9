/**
 * Ajv coerces a query string such as `to_step=1e400` to Infinity and then skips `maximum`
 * (its range keywords only test finite numbers), so an infinite value would pass every schema
 * and reach a downstream. JSON bodies are safe (the `integer` type check itself wants a finite
 * number); query strings are checked here, after validation: every number must be finite.
 */
import type { FieldViolation } from '@simstream/errors';
import { badRequest } from '../problem.js';

export function nonFiniteViolations(query: unknown): FieldViolation[] {
  if (typeof query !== 'object' || query === null) return [];
  const violations: FieldViolation[] = [];
  for (const [name, value] of Object.entries(query))
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === 'number' && !Number.isFinite(v))
        violations.push({
          field: `querystring.${name}`,
          reason: 'OUT_OF_RANGE',
          description: 'must be a finite number',
        });
  return violations;
}

/** Fastify preHandler: 400 naming the parameter. */
export function finiteQuery(request: { query: unknown }): Promise<void> {
  const violations = nonFiniteViolations(request.query);
  return violations.length > 0 ? Promise.reject(badRequest(violations)) : Promise.resolve();
}
