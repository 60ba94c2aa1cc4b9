/** The error of a bench that measured fewer samples than it set out to: its figures would mislead. */
import { SimstreamError } from '@simstream/errors';

export class BenchIncompleteError extends SimstreamError {
  constructor(
    readonly measured: number,
    readonly expected: number,
    reason: string,
    cause?: unknown,
  ) {
    super('BENCH_INCOMPLETE', `measured ${measured} of ${expected}: ${reason}`, { cause });
  }
}
