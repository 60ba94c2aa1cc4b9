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
  /** PEM (SPKI) public key for RS256/ES256. */
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

function keyAndAlgorithms(config: JwtConfig): { key: KeyObject; algorithms: string[] } {
  if (config.secret !== undefined)
    return { key: createSecretKey(Buffer.from(config.secret, 'utf8')), algorithms: ['HS256'] };
  const key = createPublicKey(config.publicKey!.replace(/\\n/g, '\n'));
  return { key, algorithms: key.asymmetricKeyType === 'ec' ? ['ES256'] : ['RS256'] };
}

function scopesOf(payload: JWTPayload): Scope[] {
  const raw = payload.scopes ?? (typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
  if (!Array.isArray(raw)) return [];
  return [...new Set(raw.filter((s): s is Scope => typeof s === 'string' && isScope(s)))];
}

export function createJwtVerifier(config: JwtConfig): JwtVerifier {
  const { key, algorithms } = keyAndAlgorithms(config);
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        requiredClaims: ['exp'],
        ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
        ...(config.audience === undefined ? {} : { audience: config.audience }),
        clockTolerance: 5,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw rejected(true, 'token expired');
      const message = error instanceof joseErrors.JOSEError ? error.code : 'malformed token';
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
