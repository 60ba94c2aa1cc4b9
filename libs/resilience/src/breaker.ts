/**
 * Circuit breakers around remote calls (opossum): a timeout per call, opening after a share of
 * failures, half-open probes, an optional fallback, and the state in metrics
 * (`simstream_breaker_state{breaker}`: 0 closed, 1 half-open, 2 open) and in readiness.
 * Errors that are the caller's fault never count as failures (client-errors.ts): a bad request
 * or one tenant hitting its own cap must not open a breaker every tenant depends on.
 */
import CircuitBreaker from 'opossum';
import { SimstreamError, UnavailableError, isRetriable } from '@simstream/errors';
import { Counter, Gauge, type Logger, type Registry } from '@simstream/observability';
import { isClientError } from './client-errors.js';

export interface BreakerOptions {
  /** Per-call timeout; a slower call counts as a failure. */
  readonly timeoutMs: number;
  /** Failure percentage (over the rolling window) that opens the breaker. */
  readonly errorThresholdPercentage?: number;
  /** Calls needed in the window before the percentage applies. */
  readonly volumeThreshold?: number;
  /** How long it stays open before a half-open probe. */
  readonly resetTimeoutMs?: number;
  readonly rollingWindowMs?: number;
  /** Counts an error as a failure of the dependency (default: retriable errors and anything not ours). */
  readonly isFailure?: (error: unknown) => boolean;
}

export interface BreakerMetrics {
  readonly state: Gauge<'breaker'>;
  readonly events: Counter<'breaker' | 'event'>;
}

const metricsByRegistry = new WeakMap<Registry, BreakerMetrics>();

export function breakerMetrics(registry: Registry): BreakerMetrics {
  let m = metricsByRegistry.get(registry);
  if (m === undefined) {
    m = {
      state: new Gauge({
        name: 'simstream_breaker_state',
        help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
        labelNames: ['breaker'],
        registers: [registry],
      }),
      events: new Counter({
        name: 'simstream_breaker_events_total',
        help: 'Circuit breaker events: success, failure, timeout, reject (while open), fallback, open, close',
        labelNames: ['breaker', 'event'],
        registers: [registry],
      }),
    };
    metricsByRegistry.set(registry, m);
  }
  return m;
}

export type BreakerState = 'closed' | 'half-open' | 'open';

/** The dependency's breaker is open: the call was not attempted. */
export class BreakerOpenError extends UnavailableError {
  constructor(name: string) {
    super(name, 'circuit breaker open: failing fast while the dependency recovers');
  }
}

function defaultIsFailure(error: unknown): boolean {
  return !(error instanceof SimstreamError) || isRetriable(error);
}

/** Whatever `isFailure` says, the caller's own errors are filtered out first. */
function countsAsFailure(isFailure: (error: unknown) => boolean, error: unknown): boolean {
  return !isClientError(error) && isFailure(error);
}

export class Breaker<A extends unknown[], R> {
  private readonly breaker: CircuitBreaker<A, R>;

  constructor(
    readonly name: string,
    action: (...args: A) => Promise<R>,
    options: BreakerOptions,
    observe: { registry?: Registry; logger?: Logger } = {},
  ) {
    const isFailure = options.isFailure ?? defaultIsFailure;
    this.breaker = new CircuitBreaker<A, R>(action, {
      timeout: options.timeoutMs,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      volumeThreshold: options.volumeThreshold ?? 5,
      resetTimeout: options.resetTimeoutMs ?? 5000,
      rollingCountTimeout: options.rollingWindowMs ?? 10_000,
      errorFilter: (error: unknown) => !countsAsFailure(isFailure, error),
    });
    const metrics = observe.registry === undefined ? undefined : breakerMetrics(observe.registry);
    const set = (state: BreakerState) =>
      metrics?.state.set({ breaker: name }, state === 'closed' ? 0 : state === 'half-open' ? 1 : 2);
    set('closed');
    const count = (event: string) => () => metrics?.events.inc({ breaker: name, event });
    this.breaker.on('success', count('success'));
    this.breaker.on('failure', count('failure'));
    this.breaker.on('timeout', count('timeout'));
    this.breaker.on('reject', count('reject'));
    this.breaker.on('fallback', count('fallback'));
    this.breaker.on('open', () => {
      set('open');
      metrics?.events.inc({ breaker: name, event: 'open' });
      observe.logger?.warn({ breaker: name }, 'circuit breaker opened');
    });
    this.breaker.on('halfOpen', () => set('half-open'));
    this.breaker.on('close', () => {
      set('closed');
      metrics?.events.inc({ breaker: name, event: 'close' });
      observe.logger?.info({ breaker: name }, 'circuit breaker closed');
    });
  }

  get state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** Calls through the breaker; open → BreakerOpenError, timeout → UnavailableError. */
  async call(...args: A): Promise<R> {
    try {
      return await this.breaker.fire(...args);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EOPENBREAKER') throw new BreakerOpenError(this.name);
      if (code === 'ETIMEDOUT') throw new UnavailableError(this.name, 'timed out', { cause: error });
      throw error;
    }
  }

  /** Readiness check: fails while the breaker is open. */
  check(): Promise<void> {
    return this.state === 'open' ? Promise.reject(new Error(`${this.name} breaker open`)) : Promise.resolve();
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
