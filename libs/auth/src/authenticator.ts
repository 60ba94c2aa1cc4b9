/**
 * Who is calling, for both public edges (the gateway's `Authorization` header, ingestion's
 * `authorization` metadata): `Bearer <API key>` (looked up by id, secret checked against its
 * scrypt hash) or, when configured, `Bearer <JWT>`. The tenant and scopes come from the
 * credential only. Verified keys are cached for a few seconds (a revocation reaches other
 * replicas within that TTL); while Postgres fails, a key verified recently stays accepted.
 *
 * Failed attempts cost the attacker, not us: they are counted per key id and per source address
 * (failure-limiter.ts) and past the limit refused with AUTH_RATE_LIMITED before any scrypt; an
 * unknown key id costs the same scrypt as a wrong secret (so timing tells nothing about which
 * ids exist); and scrypt runs at most `maxConcurrentVerifications` at a time (default one: a
 * core stays free for everything else) with a bounded line behind it, so a flood from many
 * addresses can neither take every core nor queue without end.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  PermissionDeniedError,
  TooManyAttemptsError,
  UnauthenticatedError,
  UnavailableError,
} from '@simstream/errors';
import { hashSecret, looksLikeApiKey, parseApiKey, verifySecret, type Scope } from './api-key.js';
import { addressBucket, keyBucket, type FailureLimiter, type FailureLimits } from './failure-limiter.js';
import type { JwtVerifier } from './jwt.js';
import type { KeyStore } from './key-store.js';
import { Semaphore } from './semaphore.js';

export interface Principal {
  readonly tenant: string;
  readonly scopes: ReadonlySet<Scope>;
  /** Rate-limit bucket and log identity: `key:<id>` or `jwt:<tenant>:<sub>`. */
  readonly subject: string;
  readonly keyId?: string;
  readonly via: 'api-key' | 'jwt';
}

export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'unknown_key'
  | 'bad_secret'
  | 'revoked'
  | 'jwt_disabled'
  | 'jwt_invalid'
  | 'jwt_expired'
  | 'store_unavailable'
  | 'rate_limited';

export interface AuthenticatorOptions {
  readonly keys: KeyStore;
  readonly jwt?: JwtVerifier;
  readonly cacheTtlMs: number;
  readonly staleIfErrorMs: number;
  readonly failures: FailureLimiter;
  readonly failureLimits: FailureLimits;
  /** scrypt verifications at once (each ~16 MiB and ~35 ms of a core on the libuv pool). */
  readonly maxConcurrentVerifications?: number;
  /** Verifications waiting for a place; past it a sign-in is refused UNAVAILABLE (retry). */
  readonly maxWaitingVerifications?: number;
  /** The secret check (tests count it); scrypt by default. */
  readonly verify?: typeof verifySecret;
  readonly maxCacheEntries?: number;
  readonly now?: () => number;
  readonly onFailure?: (reason: AuthFailureReason) => void;
  /** Called when a stale cached key was accepted because the store failed. */
  readonly onStale?: () => void;
}

interface CacheEntry {
  readonly principal: Principal;
  readonly at: number;
}

/** A refused credential: the edge maps it (HTTP 401 with a challenge, gRPC UNAUTHENTICATED). */
function invalid(message: string): UnauthenticatedError {
  return new UnauthenticatedError('AUTH_INVALID', message);
}

export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly now: () => number;
  private readonly maxEntries: number;
  private readonly scrypts: Semaphore;
  /** Verified against this when the key id is unknown: the same work as a wrong secret. */
  private readonly decoyHash: Promise<string>;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxCacheEntries ?? 10_000;
    this.scrypts = new Semaphore(
      options.maxConcurrentVerifications ?? 1,
      options.maxWaitingVerifications ?? 32,
    );
    this.decoyHash = hashSecret(randomBytes(32).toString('base64url'));
  }

  /**
   * The caller of `authorization` (`Bearer …`) arriving from `address`; throws
   * UnauthenticatedError, TooManyAttemptsError, or UnavailableError (key store down, nothing cached).
   */
  async authenticate(authorization: string | undefined, address = 'unknown'): Promise<Principal> {
    if (authorization === undefined || authorization.trim() === '')
      throw this.fail(
        'missing',
        new UnauthenticatedError('AUTH_REQUIRED', 'an Authorization: Bearer credential is required'),
      );
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null)
      throw this.fail('malformed', invalid("expected 'Authorization: Bearer <API key or JWT>'"));
    const token = match[1]!;
    if (looksLikeApiKey(token)) return this.apiKey(token, address);
    if (token.split('.').length === 3) return this.jwt(token, address);
    throw this.fail('malformed', invalid('the bearer token is neither an API key nor a JWT'));
  }

  /** Drops cached verifications of a key (after revoking it here). */
  forget(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.principal.keyId === keyId) this.cache.delete(hash);
  }

  private async apiKey(token: string, address: string): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (parsed === undefined) throw this.fail('malformed', invalid('malformed API key'));
    const hash = createHash('sha256').update(token).digest('base64url');
    const cached = this.cache.get(hash);
    const now = this.now();
    if (cached !== undefined && now - cached.at < this.options.cacheTtlMs) return cached.principal;

    const limits = this.options.failureLimits;
    const buckets = [addressBucket(limits, address), keyBucket(limits, parsed.keyId)];
    // A token verified before (its hash is still cached) is never locked out by others' failures.
    if (cached === undefined) await this.refuseWhenLimited(buckets);

    let stored;
    try {
      stored = await this.options.keys.find(parsed.keyId);
    } catch (error) {
      if (cached !== undefined && now - cached.at < this.options.staleIfErrorMs) {
        this.options.onStale?.();
        return cached.principal;
      }
      this.options.onFailure?.('store_unavailable');
      if (error instanceof UnavailableError) throw error;
      throw new UnavailableError('postgres', 'cannot verify API keys now', { cause: error });
    }
    // The same work whatever is wrong: an unknown id is checked against a decoy hash.
    const proven =
      cached !== undefined && stored !== undefined && cached.principal.keyId === stored.keyId
        ? true
        : await this.scrypts.run(
            async () =>
              (this.options.verify ?? verifySecret)(
                parsed.secret,
                stored?.secretHash ?? (await this.decoyHash),
              ),
            () => new UnavailableError('auth', 'too many sign-ins being checked at once; retry shortly'),
          );
    const reason: AuthFailureReason | undefined =
      stored === undefined
        ? 'unknown_key'
        : !proven
          ? 'bad_secret'
          : stored.revokedAt !== null
            ? 'revoked'
            : undefined;
    if (stored === undefined || reason !== undefined) {
      this.cache.delete(hash);
      await this.options.failures.record(buckets);
      // One answer for unknown, wrong and revoked keys: nothing to learn about which ids exist.
      throw this.fail(reason ?? 'unknown_key', invalid('invalid or revoked API key'));
    }
    const principal: Principal = {
      tenant: stored.tenant,
      scopes: new Set(stored.scopes),
      subject: `key:${stored.keyId}`,
      keyId: stored.keyId,
      via: 'api-key',
    };
    this.remember(hash, { principal, at: now });
    this.options.keys.touch(stored.keyId).catch(() => undefined);
    return principal;
  }

  private async refuseWhenLimited(buckets: Parameters<FailureLimiter['blockedFor']>[0]): Promise<void> {
    const waitSeconds = await this.options.failures.blockedFor(buckets);
    if (waitSeconds > 0) {
      this.options.onFailure?.('rate_limited');
      throw new TooManyAttemptsError(
        waitSeconds,
        `too many failed sign-ins for this key or from this address; retry in ${waitSeconds} s`,
      );
    }
  }

  private remember(hash: string, entry: CacheEntry): void {
    this.cache.delete(hash);
    this.cache.set(hash, entry);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
  }

  private async jwt(token: string, address: string): Promise<Principal> {
    if (this.options.jwt === undefined)
      throw this.fail('jwt_disabled', invalid('JWT authentication is not enabled here'));
    const buckets = [addressBucket(this.options.failureLimits, address)];
    await this.refuseWhenLimited(buckets);
    try {
      const identity = await this.options.jwt(token);
      return {
        tenant: identity.tenant,
        scopes: new Set(identity.scopes),
        subject: `jwt:${identity.tenant}:${identity.subject}`,
        via: 'jwt',
      };
    } catch (error) {
      if (error instanceof UnauthenticatedError) {
        this.options.onFailure?.(error.code === 'AUTH_EXPIRED' ? 'jwt_expired' : 'jwt_invalid');
        await this.options.failures.record(buckets);
      }
      throw error;
    }
  }

  private fail<E extends Error>(reason: AuthFailureReason, error: E): E {
    this.options.onFailure?.(reason);
    return error;
  }
}

/** A credential without the scope an operation needs. */
export class InsufficientScopeError extends PermissionDeniedError {
  constructor(readonly scope: Scope) {
    super('INSUFFICIENT_SCOPE', `this operation needs the '${scope}' scope`);
  }
}

/** Throws InsufficientScopeError unless the caller holds `scope`. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.has(scope)) throw new InsufficientScopeError(scope);
}
