/**
 * One opossum breaker (libs/resilience) per downstream method group, each running whatever
 * call it is given: a group shares fate (one service, similar cost), so its failures open it
 * together. State goes to `simstream_breaker_state{breaker}` and to /readyz.
 */
import { Breaker, type BreakerState } from '@simstream/resilience';
import type { Logger, Registry } from '@simstream/observability';

export const BREAKER_GROUPS = [
  'query-read',
  'query-stream',
  'ingestion',
  'quantum-solve',
  'quantum-jobs',
  'postgres',
  'redis',
] as const;
export type BreakerGroup = (typeof BREAKER_GROUPS)[number];

export interface BreakerTimeouts {
  readonly queryMs: number;
  readonly ingestMs: number;
  readonly solveMs: number;
  readonly resetMs: number;
  /** Redis commands (rate limits): short, because the in-memory fallback is always there. */
  readonly redisMs: number;
}

export type Guarded = <T>(fn: () => Promise<T>) => Promise<T>;

export class Breakers {
  private readonly breakers = new Map<BreakerGroup, Breaker<[() => Promise<unknown>], unknown>>();

  constructor(timeouts: BreakerTimeouts, observe: { registry: Registry; logger: Logger }) {
    const timeoutOf: Record<BreakerGroup, number> = {
      'query-read': timeouts.queryMs,
      'query-stream': timeouts.queryMs,
      ingestion: timeouts.ingestMs,
      'quantum-solve': timeouts.solveMs,
      'quantum-jobs': timeouts.queryMs,
      postgres: timeouts.queryMs,
      redis: timeouts.redisMs,
    };
    for (const group of BREAKER_GROUPS) {
      this.breakers.set(
        group,
        new Breaker(
          group,
          (fn: () => Promise<unknown>) => fn(),
          {
            timeoutMs: timeoutOf[group],
            resetTimeoutMs: group === 'redis' ? Math.min(timeouts.resetMs, 2000) : timeouts.resetMs,
            volumeThreshold: 5,
            errorThresholdPercentage: 50,
          },
          observe,
        ),
      );
    }
  }

  /** A function running calls through `group`'s breaker. */
  guard(group: BreakerGroup): Guarded {
    const breaker = this.breakers.get(group)!;
    return <T>(fn: () => Promise<T>) => breaker.call(fn) as Promise<T>;
  }

  state(group: BreakerGroup): BreakerState {
    return this.breakers.get(group)!.state;
  }

  states(): Record<BreakerGroup, BreakerState> {
    return Object.fromEntries([...this.breakers].map(([g, b]) => [g, b.state])) as Record<
      BreakerGroup,
      BreakerState
    >;
  }

  shutdown(): void {
    for (const b of this.breakers.values()) b.shutdown();
  }
}
