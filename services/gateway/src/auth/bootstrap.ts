/**
 * The first admin: GATEWAY_BOOTSTRAP_ADMIN_KEY (a full sk_<id>_<secret>) is inserted, hashed,
 * with every scope for the operator tenant when its key id is absent. An existing row is never
 * overwritten (revoking the bootstrap key sticks); a mismatch is logged.
 */
import type { Logger } from '@simstream/observability';
import { SCOPES, hashSecret, parseApiKey, verifySecret, type KeyStore } from '@simstream/auth';

export async function bootstrapAdminKey(
  keys: KeyStore,
  token: string,
  tenant: string,
  logger: Logger,
): Promise<void> {
  const parsed = parseApiKey(token);
  if (parsed === undefined) return; // config validation already refused it
  const existing = await keys.find(parsed.keyId);
  if (existing === undefined) {
    const inserted = await keys.insert({
      keyId: parsed.keyId,
      tenant,
      name: 'bootstrap admin',
      secretHash: await hashSecret(parsed.secret),
      scopes: [...SCOPES],
    });
    if (inserted) logger.info({ keyId: parsed.keyId, tenant }, 'bootstrap admin key created');
    return;
  }
  if (!(await verifySecret(parsed.secret, existing.secretHash)) || existing.tenant !== tenant)
    logger.warn(
      { keyId: parsed.keyId },
      'bootstrap admin key id exists with another secret or tenant: left as it is',
    );
  else if (existing.revokedAt !== null)
    logger.info({ keyId: parsed.keyId }, 'bootstrap admin key is revoked: left revoked');
}
