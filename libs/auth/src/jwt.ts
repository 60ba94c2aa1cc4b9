/**
 * JWT bearer tokens, enabled only when configured: HS256 with JWT_SECRET, or RS256/ES256 with
 * a PEM public key; optional issuer and audience; `exp` required. The token names its tenant
 * (`tenant` claim) and scopes (`scopes` array, or OAuth's space-separated `scope`).
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { TENANT_PATTERN } from '@simstream/contracts';
import { UnauthenticatedError } from '@simstream/errors';
import { isScope, type Scope } from './api-key.js';

export interface JwtConfig {
  readonly secret?: string;
  /** The HS256 secret being rotated out: tokens signed with it pass until it is removed. */
  readonly previousSecret?: string;
  /** PEM (SPKI) public key(s) for RS256/ES256: several PEM blocks = old and new during a rollover. */
  readonly publicKey?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

export interface JwtIdentity {
  readonly tenant: string;
  readonly scopes: readonly Scope[];
  readonly subject: string;
}

/** A refused token: AUTH_EXPIRED, or AUTH_INVALID for anything else (signature, claims, shape). */
function rejected(expired: boolean, message: string): UnauthenticatedError {
  return new UnauthenticatedError(expired ? 'AUTH_EXPIRED' : 'AUTH_INVALID', message);
}

export type JwtVerifier = (token: string) => Promise<JwtIdentity>;

interface VerificationKey {
  readonly key: KeyObject;
  readonly algorithms: string[];
}

/** Every key a token may be signed with: the current one first, then those being rotated out. */
function verificationKeys(config: JwtConfig): VerificationKey[] {
  if (config.secret !== undefined)
    return [config.secret, config.previousSecret]
      .filter((s): s is string => s !== undefined)
      .map((s) => ({ key: createSecretKey(Buffer.from(s, 'utf8')), algorithms: ['HS256'] }));
  const pems =
    config.publicKey!.replace(/\\n/g, '\n').match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----/g) ?? [];
  return pems.map((pem) => {
    const key = createPublicKey(pem);
    return { key, algorithms: key.asymmetricKeyType === 'ec' ? ['ES256'] : ['RS256'] };
  });
}

/** Errors that mean "not this key" (try the next), rather than "this token is refused". */
function otherKey(error: unknown): boolean {
  return (
    error instanceof joseErrors.JWSSignatureVerificationFailed ||
    error instanceof joseErrors.JOSEAlgNotAllowed
  );
}

function scopesOf(payload: JWTPayload): Scope[] {
  const raw = payload.scopes ?? (typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
  if (!Array.isArray(raw)) return [];
  return [...new Set(raw.filter((s): s is Scope => typeof s === 'string' && isScope(s)))];
}

export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  const keys = verificationKeys(config);
  return async (token) => {
    let payload: JWTPayload | undefined;
    let last: unknown;
    for (const { key, algorithms } of keys) {
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms,
          requiredClaims: ['exp'],
          ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
          ...(config.audience === undefined ? {} : { audience: config.audience }),
          clockTolerance: 5,
        }));
        break;
      } catch (error) {
        last = error;
        if (!otherKey(error)) break;
      }
    }
    if (payload === undefined) {
      if (last instanceof joseErrors.JWTExpired) throw rejected(true, 'token expired');
      const message = last instanceof joseErrors.JOSEError ? last.code : 'malformed token';
      throw rejected(false, message);
    }
    const tenant = payload.tenant;
    if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant))
      throw rejected(false, `claim 'tenant' must match ${TENANT_PATTERN.source}`);
    const scopes = scopesOf(payload);
    if (scopes.length === 0) throw rejected(false, "claim 'scopes' names none of ingest, read, admin");
    return { tenant, scopes, subject: payload.sub ?? 'anonymous' };
  };
}
