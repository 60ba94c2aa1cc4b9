import { describe, expect, it } from 'vitest';
import { ConfigError } from '@simstream/errors';
import { loadQueryConfig } from './config.js';

const TLS = { GRPC_TLS_CA_FILE: 'ca.crt', GRPC_TLS_CERT_FILE: 'query.crt', GRPC_TLS_KEY_FILE: 'query.key' };

describe('loadQueryConfig', () => {
  it('has working defaults: both roles, the shared consumer group, the default ports', () => {
    const c = loadQueryConfig(TLS);
    expect([...c.roles]).toEqual(['materializer', 'server']);
    expect(c).toMatchObject({ consumerGroup: 'simstream-query', grpc: { port: 50052 }, opsPort: 9104 });
    expect(c.cache).toEqual({ l1MaxBytes: 64 * 1024 * 1024, ttlMs: 300_000, versionMaxAgeMs: 30_000 });
  });

  it('answers the gateway and ingestion (analysis events) by default, only the identities named otherwise', () => {
    expect(loadQueryConfig(TLS).allowedClients).toEqual(['gateway', 'ingestion']);
    expect(loadQueryConfig({ ...TLS, GRPC_ALLOWED_CLIENTS: 'gateway' }).allowedClients).toEqual(['gateway']);
  });

  it('lists every wrong variable at once', () => {
    let error: unknown;
    try {
      loadQueryConfig({ QUERY_ROLES: 'server,reader', GRPC_PORT: 'x', QUERY_TAIL_POLL_INTERVAL: 'soon' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/QUERY_ROLES/);
    expect(problems).toMatch(/GRPC_PORT/);
    expect(problems).toMatch(/QUERY_TAIL_POLL_INTERVAL/);
  });

  it('runs one role alone', () => {
    expect([...loadQueryConfig({ ...TLS, QUERY_ROLES: 'server' }).roles]).toEqual(['server']);
  });

  it('needs the TLS files unless plaintext is asked for explicitly', () => {
    expect(() => loadQueryConfig({})).toThrow(
      /GRPC_TLS_CA_FILE, GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE: required/,
    );
    expect(loadQueryConfig({ GRPC_INSECURE: 'true' }).grpcTls).toEqual({ insecure: true });
  });
});
