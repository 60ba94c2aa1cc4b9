/** Outcomes as JSON (the solution as base64), for the cache and the jobs table's `result`. */
import type { Outcome } from './outcome.js';

export interface OutcomeJson extends Omit<Outcome, 'solution'> {
  readonly solution: string;
}

export function outcomeToJson(o: Outcome): OutcomeJson {
  return {
    ...o,
    solution: Buffer.from(o.solution.buffer, o.solution.byteOffset, o.solution.byteLength).toString('base64'),
  };
}

export function outcomeFromJson(json: OutcomeJson): Outcome {
  return { ...json, solution: new Int8Array(Buffer.from(json.solution, 'base64')) };
}
