/**
 * Steps as every format must read them: an int64 that is non-negative and exactly representable
 * as a JS number (0..2^53-1). Arrow and Avro carry 64-bit integers; reading them as bigint and
 * checking here means a negative step is refused (not stored as 0) and a step past 2^53 is
 * refused (not rounded to a neighbour).
 */
import type { FieldViolation } from '@simstream/errors';

const MAX_STEP = BigInt(Number.MAX_SAFE_INTEGER);

/** The step as a number, or a STEP_INVALID violation for `field`. */
export function readStep(
  value: bigint | number | null | undefined,
  field: string,
): { step: number } | { violation: FieldViolation } {
  const fail = (shown: string): { violation: FieldViolation } => ({
    violation: {
      field,
      reason: 'STEP_INVALID',
      description: `step must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${shown}`,
    },
  });
  if (value === null || value === undefined) return fail('null');
  if (typeof value === 'bigint') {
    if (value < 0n || value > MAX_STEP) return fail(value.toString());
    return { step: Number(value) };
  }
  if (!Number.isSafeInteger(value) || value < 0) return fail(String(value));
  return { step: value };
}
