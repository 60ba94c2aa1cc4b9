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

  constructor(options: unknown) {
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
    this.violations.push({ field, reason, description });
  }

  /** Whether no problem has been recorded so far (cross-checks are pointless after one). */
  get ok(): boolean {
    return this.violations.length === 0;
  }

  /** Throws one ValidationError listing every problem, unknown options included. */
  finish(): void {
    for (const name of Object.keys(this.options)) {
      if (!this.known.has(name) && this.options[name] !== undefined) {
        this.fail(name, 'UNKNOWN_OPTION', `is not an option; known options: ${[...this.known].join(', ')}`);
      }
    }
    if (this.violations.length > 0) throw new ValidationError(this.violations);
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
