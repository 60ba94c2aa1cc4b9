/**
 * The counter store behind @fastify/rate-limit: a fixed window per caller in Redis (one Lua
 * script: INCR, PEXPIRE on the first hit, PTTL), so that every gateway replica counts against
 * the same budget. When Redis fails (or its breaker is open) the count falls back to this
 * process's memory: limits still hold per replica, the mode shows in /readyz and metrics, and
 * Redis is used again as soon as it answers.
 */
import type { Redis } from '@simstream/storage';
import type { Guarded } from './downstream/breakers.js';

export type RateLimitMode = 'redis' | 'memory';

export interface WindowCount {
  readonly current: number;
  /** Milliseconds until the window resets. */
  readonly ttl: number;
}

const SCRIPT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}`;

type RateLimitCommand = (key: string, windowMs: number) => Promise<[number, number]>;

/** Fixed windows in process memory, bounded (the oldest keys go first). */
export class MemoryWindows {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxKeys = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  incr(key: string, windowMs: number): WindowCount {
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.delete(key);
      this.windows.set(key, w);
      if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    }
    w.count++;
    return { current: w.count, ttl: w.resetAt - now };
  }
}

export interface RateStoreDeps {
  readonly redis: Redis | undefined;
  /** Runs a Redis call through the `redis` breaker. */
  readonly guard: Guarded;
  readonly prefix?: string;
  readonly onMode?: (mode: RateLimitMode) => void;
}

/** The store class @fastify/rate-limit instantiates (`store` option). */
export function failoverRateStore(deps: RateStoreDeps) {
  const memory = new MemoryWindows();
  const prefix = deps.prefix ?? 'simstream:ratelimit:';
  let mode: RateLimitMode | undefined;
  const setMode = (next: RateLimitMode) => {
    if (next !== mode) {
      mode = next;
      deps.onMode?.(next);
    }
  };
  let command: RateLimitCommand | undefined;
  if (deps.redis !== undefined) {
    deps.redis.defineCommand('simstreamRateLimit', { numberOfKeys: 1, lua: SCRIPT });
    const redis = deps.redis as unknown as { simstreamRateLimit: RateLimitCommand };
    command = (key, windowMs) => redis.simstreamRateLimit(key, windowMs);
  }
  setMode(command === undefined ? 'memory' : 'redis');

  async function incr(key: string, windowMs: number): Promise<WindowCount> {
    if (command !== undefined) {
      try {
        const [current, ttl] = await deps.guard(() => command(prefix + key, windowMs));
        setMode('redis');
        return { current: Number(current), ttl: Number(ttl) };
      } catch {
        setMode('memory');
      }
    }
    return memory.incr(key, windowMs);
  }

  return class FailoverRateStore {
    incr(key: string, callback: (error: Error | null, result?: WindowCount) => void, windowMs: number): void {
      incr(key, windowMs).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }

    child(): FailoverRateStore {
      return this;
    }
  };
}
