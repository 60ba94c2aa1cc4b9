/**
 * `pnpm bench auth`: what a sign-in costs us, by outcome, with the real stores (API keys in
 * Postgres, failed-attempt counts in Redis) and the Authenticator both public edges use:
 *   cached      a key verified moments ago (the steady state of a working client)
 *   proven      a key verified before whose cache entry expired (a Postgres read, no scrypt)
 *   wrong       a known key id with a wrong secret (a scrypt)
 *   unknown     an unknown key id (a decoy scrypt: the same work, so timing tells nothing)
 *   limited     attempts past the per-key failure limit (a Redis read, no scrypt)
 *   flood       wrong secrets from 200 addresses at once (one scrypt at a time, 32 waiting,
 *               the rest refused UNAVAILABLE at once)
 * Wall time and process CPU (all threads) per attempt; the ratios the claims rest on.
 * Usage: pnpm bench auth [--quick]
 */
import { randomUUID } from 'node:crypto';
import {
  createAuthenticator,
  issueApiKey,
  postgresKeyStore,
  TRUST_NO_PROXY,
  type AuthSettings,
} from '@simstream/auth';
import { endpoints, up } from '@simstream/infra';
import { createPool, createRedis, migrate } from '@simstream/storage';
import { round } from './ingest/stats.js';

const log = (line: string) => process.stderr.write(`[bench auth] ${line}\n`);

interface Cost {
  readonly attempts: number;
  readonly msPerAttempt: number;
  readonly cpuMsPerAttempt: number;
  readonly outcomes: Record<string, number>;
}

async function measure(
  attempts: number,
  concurrency: number,
  attempt: (i: number) => Promise<unknown>,
): Promise<Cost> {
  const outcomes: Record<string, number> = {};
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < attempts) {
        const i = next++;
        let outcome = 'ok';
        try {
          await attempt(i);
        } catch (error) {
          outcome = (error as { code?: string }).code ?? 'error';
        }
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }),
  );
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return {
    attempts,
    msPerAttempt: round(wall / attempts, 3),
    cpuMsPerAttempt: round((used.user + used.system) / 1000 / attempts, 3),
    outcomes,
  };
}

export default async function authBench(args: string[]): Promise<unknown> {
  const quick = args.includes('--quick');
  await up(['postgres', 'redis']);
  const e = endpoints();
  const pool = createPool({ url: e.databaseUrl, max: 4 });
  const redis = createRedis({ url: e.redisUrl, commandTimeoutMs: 500 });
  await redis.connect();
  await migrate(pool);
  const guard = <T>(_what: string, fn: () => Promise<T>) => fn();
  const keys = postgresKeyStore(pool, guard);
  const tenant = `bench-auth-${randomUUID().slice(0, 8)}`;
  const { token, stored } = await issueApiKey(keys, { tenant, name: 'bench', scopes: ['read'] });
  const keyId = stored.keyId;
  const settings = (over: Partial<AuthSettings['failures']> & { cacheTtlMs?: number }): AuthSettings => ({
    cacheTtlMs: over.cacheTtlMs ?? 10_000,
    staleIfErrorMs: 60_000,
    failures: { perKey: over.perKey ?? 1e9, perAddress: over.perAddress ?? 1e9, windowMs: 60_000 },
    maxConcurrentVerifications: 1,
    trustedProxies: TRUST_NO_PROXY,
  });
  const make = (s: AuthSettings) =>
    createAuthenticator({ settings: s, pool, guard, redis, keys }).authenticator;
  const n = quick ? 20 : 60;
  try {
    const open = make(settings({}));
    const bearer = `Bearer ${token}`;
    await open.authenticate(bearer);
    log('cached');
    const cached = await measure(quick ? 2000 : 20_000, 1, () => open.authenticate(bearer));
    log('proven (cache expired, no scrypt)');
    const expiring = make(settings({ cacheTtlMs: 0 }));
    await expiring.authenticate(bearer);
    const proven = await measure(n * 5, 1, () => expiring.authenticate(bearer));
    log('wrong secret / unknown id, interleaved');
    const wrongToken = (i: number) => `Bearer sk_${keyId}_${String(i).padStart(43, 'w')}`;
    const unknownToken = (i: number) =>
      `Bearer sk_${'0'.repeat(12)}${String(i).padStart(4, '0')}_${'u'.repeat(43)}`;
    const wrong = await measure(n, 1, (i) => open.authenticate(wrongToken(i), `10.1.0.${i % 250}`));
    const unknown = await measure(n, 1, (i) => open.authenticate(unknownToken(i), `10.2.0.${i % 250}`));
    log('limited (past the per-key limit)');
    const strict = make(settings({ perKey: 3 }));
    for (let i = 0; i < 3; i++) await strict.authenticate(wrongToken(i)).catch(() => undefined);
    const limited = await measure(n * 20, 1, (i) => strict.authenticate(wrongToken(i), `10.3.0.${i % 250}`));
    log('flood: 200 addresses at once');
    const flood = await measure(n * 2, 200, (i) =>
      open.authenticate(wrongToken(100_000 + i), `10.4.${i >> 8}.${i & 255}`),
    );
    return {
      tenant,
      cached,
      proven,
      wrong,
      unknown,
      limited,
      flood,
      ratios: {
        unknownToWrongWall: round(unknown.msPerAttempt / wrong.msPerAttempt, 3),
        unknownToWrongCpu: round(unknown.cpuMsPerAttempt / wrong.cpuMsPerAttempt, 3),
        limitedToWrongCpu: round(limited.cpuMsPerAttempt / wrong.cpuMsPerAttempt, 4),
        floodAttemptsPerSecond: round(1000 / flood.msPerAttempt, 1),
      },
    };
  } finally {
    await pool.query('DELETE FROM api_keys WHERE tenant = $1', [tenant]).catch(() => undefined);
    redis.disconnect();
    await pool.end();
  }
}
