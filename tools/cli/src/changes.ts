/**
 * Parameter changes of a running simulation at given frames (`simulate --change 300:reynolds=150`):
 * parsing, checking and the schedule that hands out the changes due before each advance.
 */
import { ValidationError } from '@simstream/errors';

/** From frame `atFrame` on (the state after that many advances), run with `parameters`. */
export interface ParameterChange {
  readonly atFrame: number;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** `reynolds=150` → { reynolds: 150 }; values that are not numbers stay strings (`preset=mitosis`). */
export function parseParameter(text: string): [string, unknown] | undefined {
  const at = text.indexOf('=');
  if (at <= 0) return undefined;
  const raw = text.slice(at + 1);
  const number = Number(raw);
  return [text.slice(0, at), raw !== '' && Number.isFinite(number) ? number : raw];
}

/** `300:reynolds=150,velocity=0.05`, or undefined when it is not of that form. */
export function parseChange(text: string): ParameterChange | undefined {
  const m = /^(\d+):(.+)$/.exec(text.trim());
  if (m === null) return undefined;
  const parameters: Record<string, unknown> = {};
  for (const part of m[2]!.split(',')) {
    const kv = parseParameter(part.trim());
    if (kv === undefined) return undefined;
    parameters[kv[0]] = kv[1];
  }
  return { atFrame: Number(m[1]), parameters };
}

export function describeChange(parameters: Readonly<Record<string, unknown>>): string {
  return Object.entries(parameters)
    .map(([name, value]) => `${name} → ${String(value)}`)
    .join(', ');
}

/** The changes in frame order; `next()` before each advance gives those the new frame starts with. */
export class ChangeSchedule {
  private readonly changes: readonly ParameterChange[];
  private frame = 0;

  constructor(changes: readonly ParameterChange[]) {
    const problems = changes
      .filter((c) => !Number.isInteger(c.atFrame) || c.atFrame < 1)
      .map((c) => ({
        field: 'changes',
        reason: 'BAD_FRAME',
        description: `a change applies at frame 1 or later (frame 0 is the initial state); got ${c.atFrame}`,
      }));
    if (problems.length > 0) throw new ValidationError(problems);
    this.changes = [...changes].sort((a, b) => a.atFrame - b.atFrame);
  }

  /** The changes due at the frame the next advance produces (and moves on to it). */
  next(): ParameterChange[] {
    this.frame++;
    return this.changes.filter((c) => c.atFrame === this.frame);
  }
}
