/**
 * The authentication settings both public edges read (gateway, ingestion), validated once at
 * start, and the Authenticator built from them over the shared stores: API keys in Postgres,
 * failed-attempt counts in Redis.
 */
import { env } from '@simstream/config';
import type { Pool, Redis } from '@simstream/storage';
import { Authenticator, type AuthFailureReason } from './authenticator.js';
import { parseTrustedProxies, type ProxyTrust } from './client-address.js';
import { failureLimiter, type FailureLimits } from './failure-limiter.js';
import { createJwtVerifier, type JwtConfig } from './jwt.js';
import { postgresKeyStore, type Guard, type KeyStore } from './key-store.js';

export const AUTH_ENV = {
  /** HS256 secret (at least 32 characters); enables JWT bearer tokens. */
  JWT_SECRET: env.optionalString(),
  /** The HS256 secret being rotated out (tokens signed with it still pass until it is removed). */
  JWT_PREVIOUS_SECRET: env.optionalString(),
  /** PEM (SPKI) public key for RS256/ES256 tokens; enables JWT bearer tokens. */
  JWT_PUBLIC_KEY: env.optionalString(),
  JWT_ISSUER: env.optionalString(),
  JWT_AUDIENCE: env.optionalString(),
  /** Verified credentials are cached this long (a revoked key stays usable that long on other replicas). */
  AUTH_CACHE_TTL: env.duration('10s'),
  /** With Postgres failing, a key verified this recently is still accepted. */
  AUTH_STALE_IF_ERROR: env.duration('5m'),
  /** Failed sign-ins per key id and window before further tries with an unproven secret get 429. */
  AUTH_FAILURES_PER_KEY: env.int({ min: 1, default: 10 }),
  /** Failed sign-ins per source address and window before every try from it gets 429. */
  AUTH_FAILURES_PER_ADDRESS: env.int({ min: 1, default: 30 }),
  AUTH_FAILURE_WINDOW: env.duration('1m'),
  /**
   * Proxies in front of this edge whose X-Forwarded-For names the client (addresses and CIDR
   * ranges, comma-separated: the ingress controller's or Gateway's pods, a load balancer). Unset:
   * no header is believed, and behind a proxy every client counts as the proxy's address.
   */
  AUTH_TRUSTED_PROXIES: env.optionalString(),
  /** scrypt checks at once (each ~35 ms of a core); up to 32 more wait, then UNAVAILABLE. */
  AUTH_MAX_CONCURRENT_VERIFICATIONS: env.int({ min: 1, max: 64, default: 1 }),
};

export interface AuthSettings {
  readonly cacheTtlMs: number;
  readonly staleIfErrorMs: number;
  readonly failures: FailureLimits;
  readonly maxConcurrentVerifications: number;
  /** Whose X-Forwarded-For is believed for the per-address failure limit. */
  readonly trustedProxies: ProxyTrust;
  /** Undefined: JWTs are refused (only API keys). */
  readonly jwt?: JwtConfig;
}

export function authSettings(
  c: {
    JWT_SECRET: string | undefined;
    JWT_PREVIOUS_SECRET: string | undefined;
    JWT_PUBLIC_KEY: string | undefined;
    JWT_ISSUER: string | undefined;
    JWT_AUDIENCE: string | undefined;
    AUTH_CACHE_TTL: number;
    AUTH_STALE_IF_ERROR: number;
    AUTH_FAILURES_PER_KEY: number;
    AUTH_FAILURES_PER_ADDRESS: number;
    AUTH_FAILURE_WINDOW: number;
    AUTH_MAX_CONCURRENT_VERIFICATIONS: number;
    AUTH_TRUSTED_PROXIES: string | undefined;
  },
  problems: string[],
): AuthSettings {
  if (c.JWT_SECRET !== undefined && c.JWT_PUBLIC_KEY !== undefined)
    problems.push('JWT_SECRET, JWT_PUBLIC_KEY: set one (HS256 secret or RS256/ES256 public key), not both');
  if (c.JWT_SECRET !== undefined && c.JWT_SECRET.length < 32)
    problems.push('JWT_SECRET: at least 32 characters for HS256');
  if (
    c.JWT_PREVIOUS_SECRET !== undefined &&
    (c.JWT_SECRET === undefined || c.JWT_PREVIOUS_SECRET.length < 32)
  )
    problems.push('JWT_PREVIOUS_SECRET: only beside JWT_SECRET, and at least 32 characters');
  if (c.JWT_PUBLIC_KEY !== undefined && !/-----BEGIN [^-]+-----/.test(c.JWT_PUBLIC_KEY))
    problems.push('JWT_PUBLIC_KEY: expected one or more PEM public keys (-----BEGIN PUBLIC KEY-----)');
  const jwtEnabled = c.JWT_SECRET !== undefined || c.JWT_PUBLIC_KEY !== undefined;
  return {
    cacheTtlMs: c.AUTH_CACHE_TTL,
    staleIfErrorMs: c.AUTH_STALE_IF_ERROR,
    failures: {
      perKey: c.AUTH_FAILURES_PER_KEY,
      perAddress: c.AUTH_FAILURES_PER_ADDRESS,
      windowMs: c.AUTH_FAILURE_WINDOW,
    },
    maxConcurrentVerifications: c.AUTH_MAX_CONCURRENT_VERIFICATIONS,
    trustedProxies: parseTrustedProxies(c.AUTH_TRUSTED_PROXIES, problems),
    jwt: jwtEnabled
      ? {
          secret: c.JWT_SECRET,
          previousSecret: c.JWT_PREVIOUS_SECRET,
          publicKey: c.JWT_PUBLIC_KEY,
          issuer: c.JWT_ISSUER,
          audience: c.JWT_AUDIENCE,
        }
      : undefined,
  };
}

export function createAuthenticator(options: {
  readonly settings: AuthSettings;
  readonly pool: Pool;
  readonly guard: Guard;
  readonly redis?: Redis;
  readonly keys?: KeyStore;
  readonly onFailure?: (reason: AuthFailureReason) => void;
  readonly onStale?: () => void;
  readonly onRedisError?: (error: unknown) => void;
}): { authenticator: Authenticator; keys: KeyStore } {
  const { settings } = options;
  const keys = options.keys ?? postgresKeyStore(options.pool, options.guard);
  const authenticator = new Authenticator({
    keys,
    ...(settings.jwt === undefined ? {} : { jwt: createJwtVerifier(settings.jwt) }),
    cacheTtlMs: settings.cacheTtlMs,
    staleIfErrorMs: settings.staleIfErrorMs,
    failureLimits: settings.failures,
    maxConcurrentVerifications: settings.maxConcurrentVerifications,
    failures: failureLimiter(settings.failures, {
      ...(options.redis === undefined ? {} : { redis: options.redis }),
      ...(options.onRedisError === undefined ? {} : { onRedisError: options.onRedisError }),
    }),
    ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }),
    ...(options.onStale === undefined ? {} : { onStale: options.onStale }),
  });
  return { authenticator, keys };
}
