/**
 * API keys in Postgres (table api_keys of migration 001): look-up by key id, creation,
 * listing, revocation, and a lazy last_used_at. Every statement goes through `guard` (the
 * Postgres breaker) and fails with our errors (UNAVAILABLE when a retry can help).
 */
import { databaseError, type Pool } from '@simstream/storage';
import { generateApiKey, hashSecret, type Scope } from './api-key.js';

export interface StoredKey {
  readonly keyId: string;
  readonly tenant: string;
  readonly name: string;
  readonly secretHash: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface NewKey {
  readonly keyId: string;
  readonly tenant: string;
  readonly name: string;
  readonly secretHash: string;
  readonly scopes: readonly Scope[];
}

export interface KeyStore {
  find(keyId: string): Promise<StoredKey | undefined>;
  /** Inserts unless the key id exists; true when inserted. */
  insert(key: NewKey): Promise<boolean>;
  /** Keys of one tenant, or of every tenant when `tenant` is undefined; newest first. */
  list(tenant: string | undefined, limit: number): Promise<StoredKey[]>;
  /** Revokes a key (of `tenant` unless undefined); false when there is no such key. */
  revoke(keyId: string, tenant: string | undefined): Promise<StoredKey | undefined>;
  /** Sets last_used_at, at most once a minute per key (a cheap no-op otherwise). */
  touch(keyId: string): Promise<void>;
}

interface Row {
  key_id: string;
  tenant: string;
  name: string;
  secret_hash: string;
  scopes: Scope[];
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'key_id, tenant, name, secret_hash, scopes, created_at, revoked_at, last_used_at';

function fromRow(r: Row): StoredKey {
  return {
    keyId: r.key_id,
    tenant: r.tenant,
    name: r.name,
    secretHash: r.secret_hash,
    scopes: r.scopes,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

export type Guard = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

export function postgresKeyStore(pool: Pool, guard: Guard): KeyStore {
  const query = <R extends object>(what: string, sql: string, params: unknown[]) =>
    guard(what, async () => {
      try {
        return (await pool.query<R & Record<string, unknown>>(sql, params)).rows;
      } catch (error) {
        throw databaseError(error, what);
      }
    });
  return {
    async find(keyId) {
      const rows = await query<Row>('find api key', `SELECT ${COLUMNS} FROM api_keys WHERE key_id = $1`, [
        keyId,
      ]);
      return rows[0] === undefined ? undefined : fromRow(rows[0]);
    },
    async insert(key) {
      const rows = await query<{ key_id: string }>(
        'insert api key',
        `INSERT INTO api_keys (key_id, tenant, name, secret_hash, scopes) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key_id) DO NOTHING RETURNING key_id`,
        [key.keyId, key.tenant, key.name, key.secretHash, key.scopes],
      );
      return rows.length === 1;
    },
    async list(tenant, limit) {
      const rows = await query<Row>(
        'list api keys',
        `SELECT ${COLUMNS} FROM api_keys WHERE $1::text IS NULL OR tenant = $1
         ORDER BY created_at DESC, key_id LIMIT $2`,
        [tenant ?? null, limit],
      );
      return rows.map(fromRow);
    },
    async revoke(keyId, tenant) {
      const rows = await query<Row>(
        'revoke api key',
        `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
         WHERE key_id = $1 AND ($2::text IS NULL OR tenant = $2) RETURNING ${COLUMNS}`,
        [keyId, tenant ?? null],
      );
      return rows[0] === undefined ? undefined : fromRow(rows[0]);
    },
    async touch(keyId) {
      await query(
        'touch api key',
        `UPDATE api_keys SET last_used_at = now()
         WHERE key_id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [keyId],
      );
    },
  };
}

/** A new API key of `tenant`, stored hashed: the token (shown once) and what was stored. */
export async function issueApiKey(
  keys: KeyStore,
  key: { readonly tenant: string; readonly name: string; readonly scopes: readonly Scope[] },
): Promise<{ readonly token: string; readonly stored: NewKey }> {
  const created = generateApiKey();
  const stored: NewKey = {
    keyId: created.keyId,
    tenant: key.tenant,
    name: key.name,
    secretHash: await hashSecret(created.secret),
    scopes: [...key.scopes],
  };
  await keys.insert(stored);
  return { token: created.token, stored };
}
