/**
 * Reads a simulation's options from an untyped object (the CLI passes what the user typed),
 * collecting every problem so one ValidationError names all wrong options at once.
 */
import { type FieldViolation, ValidationError } from '@simstream/errors';

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** When true, `min` itself is refused (e.g. dt > 0). */
  readonly exclusiveMin?: boolean;
  readonly integer?: boolean;
  /** Appended to the range message, e.g. what the limit protects. */
  readonly why?: string;
}

export class OptionReader {
  private readonly violations: FieldViolation[] = [];
  private readonly known = new Set<string>();
  private readonly options: Readonly<Record<string, unknown>>;

  /** `prefix` names a nested object's fields (`perturb.x`) in the violations. */
  constructor(
    options: unknown,
    private readonly prefix = '',
  ) {
    if (options === undefined || options === null) {
      this.options = {};
    } else if (typeof options === 'object' && !Array.isArray(options)) {
      this.options = options as Record<string, unknown>;
    } else {
      this.options = {};
      this.fail('options', 'NOT_AN_OBJECT', 'options must be an object');
    }
  }

  has(name: string): boolean {
    return this.options[name] !== undefined;
  }

  /** A finite number within the rule; the fallback (trusted) when absent. */
  number(name: string, fallback: number, rule: NumberRule = {}): number {
    this.known.add(name);
    const value = this.options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(name, 'NOT_A_NUMBER', `must be a finite number, got ${describe(value)}`);
      return fallback;
    }
    if (rule.integer === true && !Number.isInteger(value)) {
      this.fail(name, 'NOT_AN_INTEGER', `must be an integer, got ${value}`);
      return fallback;
    }
    const tooLow =
      rule.min !== undefined && (rule.exclusiveMin === true ? value <= rule.min : value < rule.min);
    const tooHigh = rule.max !== undefined && value > rule.max;
    if (tooLow || tooHigh) {
      const why = rule.why === undefined ? '' : ` (${rule.why})`;
      this.fail(name, 'OUT_OF_RANGE', `must be ${rangeText(rule)}, got ${value}${why}`);
      return fallback;
    }
    return value;
  }

  /** A boolean; the fallback when absent. */
  flag(name: string, fallback: boolean): boolean {
    this.known.add(name);
    const value = this.options[name];
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.fail(name, 'NOT_A_BOOLEAN', `must be true or false, got ${describe(value)}`);
    return fallback;
  }

  /**
   * A nested object read by `read` with its own reader (its problems, unknown fields included,
   * are reported here as `name.field`); undefined when absent.
   */
  nested<T>(name: string, read: (r: OptionReader) => T): T | undefined {
    this.known.add(name);
    const value = this.options[name];
    if (value === undefined) return undefined;
    const inner = new OptionReader(value, `${this.prefix}${name}.`);
    const result = read(inner);
    inner.checkUnknown();
    for (const v of inner.violations) this.violations.push(v);
    return inner.ok ? result : undefined;
  }

  /** One of the allowed strings; the fallback when absent. */
  choice<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    this.known.add(name);
    const value = this.options[name];
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(name, 'NOT_ALLOWED', `must be one of ${allowed.join(', ')}, got ${describe(value)}`);
    return fallback;
  }

  /** Records a problem found by a cross-option check (e.g. a stability limit). */
  fail(field: string, reason: string, description: string): void {
    this.violations.push({ field: `${this.prefix}${field}`, reason, description });
  }

  /** Whether no problem has been recorded so far (cross-checks are pointless after one). */
  get ok(): boolean {
    return this.violations.length === 0;
  }

  /** Throws one ValidationError listing every problem, unknown options included. */
  finish(): void {
    this.checkUnknown();
    if (this.violations.length > 0) throw new ValidationError(this.violations);
  }

  private checkUnknown(): void {
    for (const name of Object.keys(this.options)) {
      if (!this.known.has(name) && this.options[name] !== undefined) {
        this.fail(name, 'UNKNOWN_OPTION', `is not an option; known options: ${[...this.known].join(', ')}`);
      }
    }
  }
}

function rangeText(rule: NumberRule): string {
  const low = rule.min === undefined ? '' : `${rule.exclusiveMin === true ? '>' : '>='} ${rule.min}`;
  const high = rule.max === undefined ? '' : `<= ${rule.max}`;
  const kind = rule.integer === true ? 'an integer ' : '';
  return `${kind}${[low, high].filter((part) => part !== '').join(' and ')}`;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/**
 * The options a running simulation is rebuilt from after `update(parameters)`: the current
 * options with the parameters laid over them. Parameters in `fixed` (the grid, the seed …) are
 * refused as NOT_UPDATABLE; `read` (the constructor's validation) checks everything else, so one
 * ValidationError lists every problem of the update, unknown parameters included.
 */
export function readUpdate<T>(
  current: Readonly<Record<string, unknown>>,
  parameters: unknown,
  fixed: readonly string[],
  read: (merged: Record<string, unknown>) => T,
): T {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new ValidationError([
      { field: 'parameters', reason: 'NOT_AN_OBJECT', description: 'parameters must be an object' },
    ]);
  }
  const violations: FieldViolation[] = [];
  const merged: Record<string, unknown> = { ...current };
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue;
    if (fixed.includes(name)) {
      violations.push({ field: name, reason: 'NOT_UPDATABLE', description: 'is fixed when the run starts' });
    } else {
      merged[name] = value;
    }
  }
  let result: T;
  try {
    result = read(merged);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError([...violations, ...error.violations]);
  }
  if (violations.length > 0) throw new ValidationError(violations);
  return result;
}
