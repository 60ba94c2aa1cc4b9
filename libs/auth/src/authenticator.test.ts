import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '@simstream/errors';
import { generateApiKey, hashSecret, verifySecret, type Scope } from './api-key.js';
import {
  Authenticator,
  requireScope,
  type AuthFailureReason,
  type AuthenticatorOptions,
} from './authenticator.js';
import { failureLimiter, type FailureLimits } from './failure-limiter.js';
import { createJwtVerifier } from './jwt.js';
import type { KeyStore, StoredKey } from './key-store.js';

/** An in-memory key store that can be made to fail like Postgres down. */
function memoryKeys() {
  const rows = new Map<string, StoredKey>();
  let down = false;
  let finds = 0;
  const store: KeyStore = {
    find: (id) => {
      finds++;
      return down ? Promise.reject(new UnavailableError('postgres', 'down')) : Promise.resolve(rows.get(id));
    },
    insert: (k) => {
      if (rows.has(k.keyId)) return Promise.resolve(false);
      rows.set(k.keyId, { ...k, createdAt: new Date(), revokedAt: null, lastUsedAt: null });
      return Promise.resolve(true);
    },
    list: () => Promise.resolve([...rows.values()]),
    revoke: (id) => {
      const k = rows.get(id);
      if (k === undefined) return Promise.resolve(undefined);
      const revoked = { ...k, revokedAt: new Date() };
      rows.set(id, revoked);
      return Promise.resolve(revoked);
    },
    touch: () => Promise.resolve(),
  };
  return {
    store,
    setDown: (d: boolean) => (down = d),
    finds: () => finds,
    async add(tenant: string, scopes: Scope[]) {
      const key = generateApiKey();
      await store.insert({
        keyId: key.keyId,
        tenant,
        name: 't',
        secretHash: await hashSecret(key.secret),
        scopes,
      });
      return key;
    },
  };
}

const LIMITS: FailureLimits = { perKey: 1000, perAddress: 1000, windowMs: 60_000 };

function authenticator(
  options: Omit<AuthenticatorOptions, 'failures' | 'failureLimits'> & { failureLimits?: FailureLimits },
): Authenticator {
  const limits = options.failureLimits ?? LIMITS;
  return new Authenticator({
    ...options,
    failureLimits: limits,
    failures: failureLimiter(limits, options.now === undefined ? {} : { now: options.now }),
  });
}

describe('Authenticator', () => {
  it('accepts a valid API key with its tenant and scopes, caches it, and refuses bad ones alike', async () => {
    const keys = memoryKeys();
    const failures: AuthFailureReason[] = [];
    let now = 0;
    const auth = authenticator({
      keys: keys.store,
      cacheTtlMs: 1000,
      staleIfErrorMs: 10_000,
      now: () => now,
      onFailure: (r) => failures.push(r),
    });
    const key = await keys.add('acme', ['read']);
    const principal = await auth.authenticate(`Bearer ${key.token}`);
    expect(principal).toMatchObject({ tenant: 'acme', subject: `key:${key.keyId}`, via: 'api-key' });
    expect([...principal.scopes]).toEqual(['read']);
    await auth.authenticate(`bearer ${key.token}`);
    expect(keys.finds()).toBe(1);

    const wrongSecret = `sk_${key.keyId}_${'x'.repeat(43)}`;
    await expect(auth.authenticate(`Bearer ${wrongSecret}`)).rejects.toMatchObject({
      code: 'AUTH_INVALID',
    });
    await expect(auth.authenticate(`Bearer sk_0000000000000000_${'y'.repeat(43)}`)).rejects.toMatchObject({
      code: 'AUTH_INVALID',
    });
    await expect(auth.authenticate(undefined)).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
    await expect(auth.authenticate('Basic abc')).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    await expect(auth.authenticate('Bearer sk_bad')).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    await expect(auth.authenticate('Bearer a.b.c')).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    expect(failures).toEqual([
      'bad_secret',
      'unknown_key',
      'missing',
      'malformed',
      'malformed',
      'jwt_disabled',
    ]);

    await keys.store.revoke(key.keyId, undefined);
    now = 500; // still cached
    await expect(auth.authenticate(`Bearer ${key.token}`)).resolves.toBeDefined();
    auth.forget(key.keyId);
    await expect(auth.authenticate(`Bearer ${key.token}`)).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    expect(failures.at(-1)).toBe('revoked');
  });

  it('keeps accepting a recently verified key while the store is down, and answers 503 otherwise', async () => {
    const keys = memoryKeys();
    let now = 0;
    let stale = 0;
    const auth = authenticator({
      keys: keys.store,
      cacheTtlMs: 1000,
      staleIfErrorMs: 5000,
      now: () => now,
      onStale: () => stale++,
    });
    const known = await keys.add('acme', ['read']);
    const unknown = await keys.add('acme', ['read']);
    await auth.authenticate(`Bearer ${known.token}`);
    keys.setDown(true);
    now = 3000;
    await expect(auth.authenticate(`Bearer ${known.token}`)).resolves.toMatchObject({ tenant: 'acme' });
    expect(stale).toBe(1);
    await expect(auth.authenticate(`Bearer ${unknown.token}`)).rejects.toBeInstanceOf(UnavailableError);
    now = 6000;
    await expect(auth.authenticate(`Bearer ${known.token}`)).rejects.toBeInstanceOf(UnavailableError);
  });

  it('verifies JWTs (HS256 and ES256): tenant and scopes from claims; expired, forged and claimless refused', async () => {
    const secret = 's'.repeat(40);
    const failures: AuthFailureReason[] = [];
    const auth = authenticator({
      keys: memoryKeys().store,
      jwt: createJwtVerifier({ secret, issuer: 'simstream-test' }),
      cacheTtlMs: 1000,
      staleIfErrorMs: 0,
      onFailure: (r) => failures.push(r),
    });
    const key = new TextEncoder().encode(secret);
    const sign = (claims: Record<string, unknown>, exp: string | number = '5m', k: Uint8Array = key) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('simstream-test')
        .setSubject('u1')
        .setExpirationTime(exp)
        .sign(k);
    const principal = await auth.authenticate(
      `Bearer ${await sign({ tenant: 'acme', scopes: ['read', 'bogus'] })}`,
    );
    expect(principal).toMatchObject({ tenant: 'acme', subject: 'jwt:acme:u1', via: 'jwt' });
    expect([...principal.scopes]).toEqual(['read']);
    expect([
      ...(await auth.authenticate(`Bearer ${await sign({ tenant: 'acme', scope: 'ingest admin' })}`)).scopes,
    ]).toEqual(['ingest', 'admin']);
    await expect(
      auth.authenticate(
        `Bearer ${await sign({ tenant: 'acme', scopes: ['read'] }, Math.floor(Date.now() / 1000) - 60)}`,
      ),
    ).rejects.toMatchObject({ code: 'AUTH_EXPIRED' });
    await expect(
      auth.authenticate(
        `Bearer ${await sign({ tenant: 'acme', scopes: ['read'] }, '5m', new TextEncoder().encode('t'.repeat(40)))}`,
      ),
    ).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    await expect(auth.authenticate(`Bearer ${await sign({ scopes: ['read'] })}`)).rejects.toMatchObject({
      code: 'AUTH_INVALID',
    });
    await expect(auth.authenticate(`Bearer ${await sign({ tenant: 'acme' })}`)).rejects.toMatchObject({
      code: 'AUTH_INVALID',
    });
    expect(failures).toEqual(['jwt_expired', 'jwt_invalid', 'jwt_invalid', 'jwt_invalid']);

    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es = createJwtVerifier({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const token = await new SignJWT({ tenant: 'beta', scopes: ['ingest'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setExpirationTime('1m')
      .sign(privateKey);
    expect(await es(token)).toEqual({ tenant: 'beta', scopes: ['ingest'], subject: 'anonymous' });
    // An HS256 token signed with the public key's text must not pass an ES256 verifier.
    const confused = await new SignJWT({ tenant: 'beta', scopes: ['ingest'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(publicKey.export({ type: 'spki', format: 'pem' }).toString()));
    await expect(es(confused)).rejects.toMatchObject({ code: 'AUTH_INVALID' });
  });

  it('requires the scope of the route', () => {
    const p = { tenant: 'a', scopes: new Set<Scope>(['read']), subject: 'key:x', via: 'api-key' as const };
    expect(() => requireScope(p, 'read')).not.toThrow();
    expect(() => requireScope(p, 'admin')).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_SCOPE', scope: 'admin' }),
    );
  });

  it('refuses failed sign-ins past the limit per key id and per address, before any scrypt', async () => {
    const keys = memoryKeys();
    const key = await keys.add('acme', ['read']);
    let scrypts = 0;
    let now = 0;
    const auth = authenticator({
      keys: keys.store,
      cacheTtlMs: 1000,
      staleIfErrorMs: 0,
      now: () => now,
      failureLimits: { perKey: 3, perAddress: 5, windowMs: 60_000 },
      verify: async (...args) => {
        scrypts++;
        return verifySecret(...args);
      },
    });
    const wrong = (i: number) => `Bearer sk_${key.keyId}_${String(i).padStart(43, 'x')}`;
    for (let i = 0; i < 3; i++)
      await expect(auth.authenticate(wrong(i), '10.0.0.1')).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    expect(scrypts).toBe(3);
    // The key id is now locked for unproven secrets, from any address, without a scrypt.
    await expect(auth.authenticate(wrong(9), '10.0.0.2')).rejects.toMatchObject({
      code: 'AUTH_RATE_LIMITED',
      retryAfterSeconds: 60,
    });
    await expect(auth.authenticate(`Bearer ${key.token}`, '10.0.0.2')).rejects.toMatchObject({
      code: 'AUTH_RATE_LIMITED',
    });
    expect(scrypts).toBe(3);
    // Unknown ids from one address: the address locks after its limit.
    for (let i = 0; i < 2; i++)
      await expect(
        auth.authenticate(`Bearer sk_${'0'.repeat(15)}${i}_${'y'.repeat(43)}`, '10.0.0.1'),
      ).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    await expect(
      auth.authenticate(`Bearer sk_${'1'.repeat(16)}_${'y'.repeat(43)}`, '10.0.0.1'),
    ).rejects.toMatchObject({ code: 'AUTH_RATE_LIMITED' });
    // The window passes: the right secret works again.
    now = 61_000;
    await expect(auth.authenticate(`Bearer ${key.token}`, '10.0.0.2')).resolves.toMatchObject({
      tenant: 'acme',
    });
  });

  it('spends the same scrypt on an unknown key id as on a wrong secret', async () => {
    const keys = memoryKeys();
    const key = await keys.add('acme', ['read']);
    const verified: string[] = [];
    const auth = authenticator({
      keys: keys.store,
      cacheTtlMs: 1000,
      staleIfErrorMs: 0,
      verify: async (secret, hash) => {
        verified.push(hash.split('$').slice(0, 4).join('$'));
        return verifySecret(secret, hash);
      },
    });
    await expect(auth.authenticate(`Bearer sk_${key.keyId}_${'x'.repeat(43)}`)).rejects.toThrow();
    await expect(auth.authenticate(`Bearer sk_${'0'.repeat(16)}_${'x'.repeat(43)}`)).rejects.toThrow();
    expect(verified).toEqual(['scrypt$16384$8$1', 'scrypt$16384$8$1']);
  });

  it('checks one secret at a time and refuses sign-ins past a bounded line, retriable', async () => {
    const keys = memoryKeys();
    const key = await keys.add('acme', ['read']);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const auth = authenticator({
      keys: keys.store,
      cacheTtlMs: 1000,
      staleIfErrorMs: 0,
      maxConcurrentVerifications: 1,
      maxWaitingVerifications: 1,
      verify: async () => {
        await gate;
        return false;
      },
    });
    const wrong = (i: number) => auth.authenticate(`Bearer sk_${key.keyId}_${String(i).padStart(43, 'w')}`);
    const first = wrong(1);
    const second = wrong(2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(wrong(3)).rejects.toBeInstanceOf(UnavailableError);
    release();
    await expect(first).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    await expect(second).rejects.toMatchObject({ code: 'AUTH_INVALID' });
  });
});
