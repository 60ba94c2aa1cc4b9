/**
 * Who is calling: the `Authorization: Bearer …` header as an API key (looked up by id, secret
 * checked against its scrypt hash) or, when configured, a JWT. The tenant and scopes come from
 * the credential only. Verified keys are cached for a few seconds (a revocation reaches other
 * replicas within that TTL); while Postgres fails, a key verified recently stays accepted.
 */
import { createHash } from 'node:crypto';
import { UnavailableError } from '@simstream/errors';
import { HttpError } from '../problem.js';
import { looksLikeApiKey, parseApiKey, verifySecret, type Scope } from './api-key.js';
import type { JwtVerifier } from './jwt.js';
import type { KeyStore } from './key-store.js';

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
  | 'store_unavailable';

export interface AuthenticatorOptions {
  readonly keys: KeyStore;
  readonly jwt?: JwtVerifier;
  readonly cacheTtlMs: number;
  readonly staleIfErrorMs: number;
  readonly maxCacheEntries?: number;
  readonly now?: () => number;
  readonly onFailure?: (reason: AuthFailureReason) => void;
  /** Called when a stale cached key was accepted because the store failed. */
  readonly onStale?: () => void;
}

interface CacheEntry {
  /** Undefined: a refused token (negative cache, so bad tokens cost no scrypt each time). */
  readonly principal: Principal | undefined;
  readonly reason?: AuthFailureReason;
  readonly at: number;
}

const CHALLENGE = 'Bearer realm="simstream"';
const INVALID = { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` };

export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxCacheEntries ?? 10_000;
  }

  /** The caller, or an HttpError (401; 503 when the key store is down and nothing is cached). */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization.trim() === '')
      throw this.fail(
        'missing',
        new HttpError(401, 'AUTH_REQUIRED', 'an Authorization: Bearer credential is required', {
          headers: { 'www-authenticate': CHALLENGE },
        }),
      );
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null)
      throw this.fail(
        'malformed',
        new HttpError(401, 'AUTH_INVALID', "expected 'Authorization: Bearer <API key or JWT>'", {
          headers: INVALID,
        }),
      );
    const token = match[1]!;
    if (looksLikeApiKey(token)) return this.apiKey(token);
    if (token.split('.').length === 3) return this.jwt(token);
    throw this.fail(
      'malformed',
      new HttpError(401, 'AUTH_INVALID', 'the bearer token is neither an API key nor a JWT', {
        headers: INVALID,
      }),
    );
  }

  /** Drops cached verifications of a key (after revoking it here). */
  forget(keyId: string): void {
    for (const [hash, entry] of this.cache) if (entry.principal?.keyId === keyId) this.cache.delete(hash);
  }

  private async apiKey(token: string): Promise<Principal> {
    const parsed = parseApiKey(token);
    if (parsed === undefined)
      throw this.fail(
        'malformed',
        new HttpError(401, 'AUTH_INVALID', 'malformed API key', { headers: INVALID }),
      );
    const hash = createHash('sha256').update(token).digest('base64url');
    const cached = this.cache.get(hash);
    const now = this.now();
    if (cached !== undefined && now - cached.at < this.options.cacheTtlMs) return this.fromCache(cached);
    let stored;
    try {
      stored = await this.options.keys.find(parsed.keyId);
    } catch (error) {
      if (cached?.principal !== undefined && now - cached.at < this.options.staleIfErrorMs) {
        this.options.onStale?.();
        return cached.principal;
      }
      this.options.onFailure?.('store_unavailable');
      if (error instanceof UnavailableError) throw error;
      throw new UnavailableError('postgres', 'cannot verify API keys now', { cause: error });
    }
    let entry: CacheEntry;
    if (stored === undefined) entry = { principal: undefined, reason: 'unknown_key', at: now };
    else if (!(await verifySecret(parsed.secret, stored.secretHash)))
      entry = { principal: undefined, reason: 'bad_secret', at: now };
    else if (stored.revokedAt !== null) entry = { principal: undefined, reason: 'revoked', at: now };
    else {
      entry = {
        principal: {
          tenant: stored.tenant,
          scopes: new Set(stored.scopes),
          subject: `key:${stored.keyId}`,
          keyId: stored.keyId,
          via: 'api-key',
        },
        at: now,
      };
      this.options.keys.touch(stored.keyId).catch(() => undefined);
    }
    this.remember(hash, entry);
    return this.fromCache(entry);
  }

  private fromCache(entry: CacheEntry): Principal {
    if (entry.principal !== undefined) return entry.principal;
    // One answer for unknown, wrong and revoked keys: nothing to learn about which ids exist.
    throw this.fail(
      entry.reason ?? 'unknown_key',
      new HttpError(401, 'AUTH_INVALID', 'invalid or revoked API key', { headers: INVALID }),
    );
  }

  private remember(hash: string, entry: CacheEntry): void {
    this.cache.delete(hash);
    this.cache.set(hash, entry);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
  }

  private async jwt(token: string): Promise<Principal> {
    if (this.options.jwt === undefined)
      throw this.fail(
        'jwt_disabled',
        new HttpError(401, 'AUTH_INVALID', 'JWT authentication is not enabled on this gateway', {
          headers: INVALID,
        }),
      );
    try {
      const identity = await this.options.jwt(token);
      return {
        tenant: identity.tenant,
        scopes: new Set(identity.scopes),
        subject: `jwt:${identity.tenant}:${identity.subject}`,
        via: 'jwt',
      };
    } catch (error) {
      if (error instanceof HttpError)
        this.options.onFailure?.(error.code === 'AUTH_EXPIRED' ? 'jwt_expired' : 'jwt_invalid');
      throw error;
    }
  }

  private fail(reason: AuthFailureReason, error: HttpError): HttpError {
    this.options.onFailure?.(reason);
    return error;
  }
}

/** 403 unless the caller holds `scope`. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.has(scope))
    throw new HttpError(403, 'INSUFFICIENT_SCOPE', `this operation needs the '${scope}' scope`, {
      headers: { 'www-authenticate': `${CHALLENGE}, error="insufficient_scope", scope="${scope}"` },
    });
}
