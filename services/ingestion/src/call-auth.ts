/**
 * Who may call ingestion, on each of its two ports, decided before any handler runs
 * (@simstream/rpc's call gate). The public port (TLS) takes simulation codes: every call
 * carries `authorization: Bearer <API key or JWT>`, checked by the same Authenticator and key
 * store as the gateway's; the tenant is the credential's. The internal port (mutual TLS) takes
 * only the services named in GRPC_ALLOWED_CLIENTS (the gateway), which say in
 * x-simstream-tenant which tenant they act for, and are trusted with it because their
 * certificate proves who they are. Either way the handler reads the tenant from
 * x-simstream-tenant, which the gate always writes itself.
 */
import type * as grpc from '@grpc/grpc-js';
import {
  clientAddress,
  requireScope,
  TRUST_NO_PROXY,
  type Authenticator,
  type Principal,
  type ProxyTrust,
} from '@simstream/auth';
import { TENANT_PATTERN } from '@simstream/contracts';
import { UnauthenticatedError, ValidationError } from '@simstream/errors';
import { identityGate, peerAddress, type CallGate } from '@simstream/rpc';

export const TENANT_HEADER = 'x-simstream-tenant';

/** Scopes a method needs: writes need `ingest`; status is readable with `read` too. */
function allowed(principal: Principal, method: string): void {
  if (method.endsWith('/GetStatus') && principal.scopes.has('read')) return;
  requireScope(principal, 'ingest');
}

function withTenant(metadata: grpc.Metadata, tenant: string): grpc.Metadata {
  const trusted = metadata.clone();
  trusted.remove('authorization');
  trusted.set(TENANT_HEADER, tenant);
  return trusted;
}

/**
 * The public port: a credential per call; any tenant header the caller sent is replaced. The
 * failure limit counts the caller's address: the socket's, or behind a trusted edge proxy the
 * client it names in x-forwarded-for.
 */
export function publicGate(authenticator: Authenticator, proxies: ProxyTrust = TRUST_NO_PROXY): CallGate {
  return async ({ method, metadata, peer }) => {
    const authorization = metadata.get('authorization')[0];
    const forwarded = metadata.get('x-forwarded-for').map(String);
    const principal = await authenticator.authenticate(
      typeof authorization === 'string' ? authorization : undefined,
      clientAddress(peerAddress(peer), forwarded.length > 0 ? forwarded.join(',') : undefined, proxies),
    );
    allowed(principal, method);
    return withTenant(metadata, principal.tenant);
  };
}

/** The internal port: an allowed service (identityGate) naming the tenant it acts for. */
export function internalGate(allowedClients: readonly string[], insecure: boolean): CallGate {
  const identity = identityGate(allowedClients, insecure, 'ingestion');
  return async (call) => {
    const metadata = await identity(call);
    const tenant = metadata.get(TENANT_HEADER)[0];
    if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant))
      throw new ValidationError([
        {
          field: TENANT_HEADER,
          reason: 'TENANT_INVALID',
          description: `an internal call names its tenant matching ${TENANT_PATTERN.source}`,
        },
      ]);
    return withTenant(metadata, tenant);
  };
}

/** The tenant the gate proved for this call. */
export function tenantOf(metadata: grpc.Metadata): string {
  const tenant = metadata.get(TENANT_HEADER)[0];
  if (typeof tenant !== 'string') throw new UnauthenticatedError('AUTH_REQUIRED', 'no authenticated tenant');
  return tenant;
}
