/**
 * API key administration (scope `admin`): create (the secret is shown once, stored only as a
 * scrypt hash), list, revoke. An admin manages its own tenant's keys; admins of the operator
 * tenant (GATEWAY_OPERATOR_TENANT, the bootstrap key's) manage every tenant's.
 */
import type { FastifyInstance } from 'fastify';
import { TENANT_PATTERN } from '@simstream/contracts';
import { SCOPES, issueApiKey, type Principal, type Scope, type StoredKey } from '@simstream/auth';
import { principalOf, type RouteDeps } from '../http/context.js';
import { COMMON_PROBLEMS, problems } from '../http/schemas.js';
import { HttpError } from '../problem.js';

function keyView(k: StoredKey) {
  return {
    key_id: k.keyId,
    tenant: k.tenant,
    name: k.name,
    scopes: k.scopes,
    created_at: k.createdAt.toISOString(),
    revoked_at: k.revokedAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
  };
}

const security = [{ bearerAuth: [] }];

export function adminRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const operator = deps.config.auth.operatorTenant;
  const isOperator = (p: Principal) => p.tenant === operator;
  /** The tenant an admin acts on: its own, or (operator only) the one named. */
  const targetTenant = (p: Principal, named: string | undefined): string => {
    if (named === undefined || named === p.tenant) return p.tenant;
    if (!isOperator(p))
      throw new HttpError(
        403,
        'TENANT_FORBIDDEN',
        'only admins of the operator tenant manage other tenants’ keys',
      );
    return named;
  };

  app.post<{ Body: { name: string; scopes: Scope[]; tenant?: string } }>(
    '/v1/admin/keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Create an API key (the secret is in this answer only)',
        tags: ['admin'],
        security,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'scopes'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            scopes: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { type: 'string', enum: [...SCOPES] },
            },
            tenant: {
              type: 'string',
              pattern: TENANT_PATTERN.source,
              description: 'default: your own; another only for the operator tenant',
            },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: {
              key: { $ref: 'ApiKey#' },
              secret: {
                type: 'string',
                description:
                  'sk_<key_id>_<secret>: send as `Authorization: Bearer <secret>`; not shown again',
              },
            },
          },
          ...problems(...COMMON_PROBLEMS, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const tenant = targetTenant(principal, request.body.tenant);
      const { token, stored: created } = await issueApiKey(deps.keys, {
        tenant,
        name: request.body.name,
        scopes: request.body.scopes,
      });
      request.log.info(
        { keyId: created.keyId, tenant, scopes: created.scopes, by: principal.subject },
        'API key created',
      );
      reply.code(201).header('cache-control', 'no-store');
      const now = new Date();
      return {
        key: keyView({ ...created, createdAt: now, revokedAt: null, lastUsedAt: null }),
        secret: token,
      };
    },
  );

  app.get<{ Querystring: { tenant?: string; limit: number } }>(
    '/v1/admin/keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'List API keys (never their secrets)',
        tags: ['admin'],
        security,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tenant: {
              type: 'string',
              pattern: TENANT_PATTERN.source,
              description: 'operator only; default your own tenant',
            },
            all_tenants: { type: 'boolean', default: false, description: 'operator only' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
        response: {
          200: { type: 'object', properties: { keys: { type: 'array', items: { $ref: 'ApiKey#' } } } },
          ...problems(...COMMON_PROBLEMS),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const all = (request.query as { all_tenants?: boolean }).all_tenants === true;
      if (all && !isOperator(principal))
        throw new HttpError(
          403,
          'TENANT_FORBIDDEN',
          'only admins of the operator tenant list every tenant’s keys',
        );
      const tenant = all ? undefined : targetTenant(principal, request.query.tenant);
      return { keys: (await deps.keys.list(tenant, request.query.limit)).map(keyView) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/admin/keys/:id',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Revoke an API key',
        description: 'Takes effect at once on this replica and within GATEWAY_AUTH_CACHE_TTL on the others.',
        tags: ['admin'],
        security,
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', pattern: '^[a-z0-9]{8,64}$' } },
        },
        response: { 200: { $ref: 'ApiKey#' }, ...problems(...COMMON_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const revoked = await deps.keys.revoke(
        request.params.id,
        isOperator(principal) ? undefined : principal.tenant,
      );
      if (revoked === undefined)
        throw new HttpError(404, 'KEY_NOT_FOUND', `no API key '${request.params.id}'`);
      deps.authenticator.forget(revoked.keyId);
      request.log.info(
        { keyId: revoked.keyId, tenant: revoked.tenant, by: principal.subject },
        'API key revoked',
      );
      return keyView(revoked);
    },
  );
}
