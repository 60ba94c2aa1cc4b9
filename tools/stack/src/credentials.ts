/**
 * Credentials for tests and benchmarks, the same kinds a deployment uses: API keys of a tenant (stored hashed
 * in the real Postgres, as the admin API would), service certificates from `infra up`'s CA for
 * calls to internal ports, and TLS settings for every service a test starts.
 */
import * as grpc from '@grpc/grpc-js';
import { issueApiKey, postgresKeyStore, type Scope } from '@simstream/auth';
import { IngestionClient, type IngestionClientOptions } from '@simstream/client';
import { endpoints, tls, type Identity } from '@simstream/infra';
import { createPool, migrate, type Pool } from '@simstream/storage';
import { readFileSync } from 'node:fs';

/** GRPC_TLS_* of a service started by a test: its own certificate, the stack's CA. */
export function serviceTlsEnv(identity: Identity): Record<string, string> {
  const files = tls();
  return {
    GRPC_TLS_CA_FILE: files.caFile,
    GRPC_TLS_CERT_FILE: files.certFile(identity),
    GRPC_TLS_KEY_FILE: files.keyFile(identity),
  };
}

/** Mutual TLS as `identity` (default the gateway, the one caller internal ports allow). */
export function serviceCredentials(identity: Identity = 'gateway'): grpc.ChannelCredentials {
  const files = tls();
  return grpc.credentials.createSsl(
    readFileSync(files.caFile),
    readFileSync(files.keyFile(identity)),
    readFileSync(files.certFile(identity)),
  );
}

/** TLS trusting the stack's CA, without a client certificate (what a simulation code has). */
export function publicCredentials(): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(readFileSync(tls().caFile));
}

let pool: Promise<Pool> | undefined;
function database(): Promise<Pool> {
  pool ??= (async () => {
    const p = createPool({ url: endpoints().databaseUrl, max: 2 });
    await migrate(p);
    return p;
  })();
  return pool;
}

const keys = new Map<string, Promise<string>>();

/** An API key of `tenant` (one per tenant and scope set per test process, created on first use). */
export function apiKeyFor(tenant: string, scopes: readonly Scope[] = ['ingest', 'read']): Promise<string> {
  const id = `${tenant}|${[...scopes].sort().join(',')}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = (async () => {
      const store = postgresKeyStore(await database(), (_what, fn) => fn());
      return (await issueApiKey(store, { tenant, name: `test ${tenant}`, scopes })).token;
    })();
    keys.set(id, key);
  }
  return key;
}

/** A client of ingestion's public port over TLS, authenticated as `tenant`. */
export async function ingestionClientFor(
  address: string,
  tenant = 'default',
  options: IngestionClientOptions = {},
): Promise<IngestionClient> {
  return new IngestionClient({ address, apiKey: await apiKeyFor(tenant), caFile: tls().caFile, ...options });
}

/** Closes the test process's Postgres pool (afterAll of files that made keys). */
export async function closeCredentials(): Promise<void> {
  const p = pool;
  pool = undefined;
  keys.clear();
  if (p !== undefined) await (await p).end();
}
