/**
 * Failed sign-ins, counted per key id and per source address in fixed windows shared by every
 * replica through Redis (one round trip per check, one per failure), so a wrong-secret flood
 * costs the attacker a 429 instead of costing us a scrypt per attempt. When Redis fails, the
 * counts fall back to this process's memory (limits then hold per replica) and Redis is tried
 * again on the next call. Successful sign-ins are never counted.
 */
import type { Redis } from '@simstream/storage';

export interface FailureLimits {
  /** Failures per key id and window before further attempts with an unproven secret wait. */
  readonly perKey: number;
  /** Failures per source address and window before every attempt from it waits. */
  readonly perAddress: number;
  readonly windowMs: number;
}

export interface Bucket {
  readonly key: string;
  readonly limit: number;
}

export interface FailureLimiter {
  /** Seconds until the first full bucket among `buckets` opens again; 0 when none is full. */
  blockedFor(buckets: readonly Bucket[]): Promise<number>;
  record(buckets: readonly Bucket[]): Promise<void>;
}

const PREFIX = 'simstream:authfail:';

export function keyBucket(limits: FailureLimits, keyId: string): Bucket {
  return { key: `key:${keyId}`, limit: limits.perKey };
}

export function addressBucket(limits: FailureLimits, address: string): Bucket {
  return { key: `addr:${address}`, limit: limits.perAddress };
}

/** Fixed windows in memory, bounded (the oldest buckets go first). */
class MemoryCounts {
  private readonly counts = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

  get(key: string): { count: number; ttlMs: number } {
    const c = this.counts.get(key);
    const now = this.now();
    if (c === undefined || c.resetAt <= now) return { count: 0, ttlMs: 0 };
    return { count: c.count, ttlMs: c.resetAt - now };
  }

  incr(key: string, windowMs: number): void {
    const now = this.now();
    let c = this.counts.get(key);
    if (c === undefined || c.resetAt <= now) {
      this.counts.delete(key);
      c = { count: 0, resetAt: now + windowMs };
      this.counts.set(key, c);
      if (this.counts.size > this.maxKeys) this.counts.delete(this.counts.keys().next().value!);
    }
    c.count++;
  }
}

export function failureLimiter(
  limits: FailureLimits,
  options: {
    readonly redis?: Redis;
    readonly now?: () => number;
    readonly onRedisError?: (error: unknown) => void;
  } = {},
): FailureLimiter {
  const memory = new MemoryCounts(50_000, options.now ?? Date.now);
  const redis = options.redis;

  async function counts(buckets: readonly Bucket[]): Promise<{ count: number; ttlMs: number }[]> {
    if (redis !== undefined) {
      try {
        const pipeline = redis.pipeline();
        for (const b of buckets) pipeline.get(PREFIX + b.key).pttl(PREFIX + b.key);
        const replies = (await pipeline.exec()) ?? [];
        return buckets.map((_, i) => {
          const [countError, count] = replies[2 * i] ?? [];
          const [ttlError, ttl] = replies[2 * i + 1] ?? [];
          const failed = countError ?? ttlError;
          if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
          return { count: Number(count ?? 0), ttlMs: Math.max(0, Number(ttl ?? 0)) };
        });
      } catch (error) {
        options.onRedisError?.(error);
      }
    }
    return buckets.map((b) => memory.get(b.key));
  }

  return {
    async blockedFor(buckets) {
      const seen = await counts(buckets);
      let waitMs = 0;
      seen.forEach((c, i) => {
        if (c.count >= buckets[i]!.limit) waitMs = Math.max(waitMs, c.ttlMs || limits.windowMs);
      });
      return Math.ceil(waitMs / 1000);
    },
    async record(buckets) {
      for (const b of buckets) memory.incr(b.key, limits.windowMs);
      if (redis === undefined) return;
      try {
        const pipeline = redis.pipeline();
        for (const b of buckets) pipeline.incr(PREFIX + b.key).pexpire(PREFIX + b.key, limits.windowMs, 'NX');
        await pipeline.exec();
      } catch (error) {
        options.onRedisError?.(error);
      }
    },
  };
}
