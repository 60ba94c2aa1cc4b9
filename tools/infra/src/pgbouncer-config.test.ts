import { describe, expect, it } from 'vitest';
import { parsePgbouncerVersion, renderPgbouncerIni, renderPgbouncerUserlist } from './pgbouncer-config.js';

describe('pgbouncer config', () => {
  const ini = renderPgbouncerIni({
    host: '127.0.0.1',
    port: 6432,
    postgresPort: 5432,
    authFile: '/d/userlist.txt',
    logFile: '/d/pgbouncer.log',
    poolSize: 20,
    maxClientConn: 500,
    statementTimeoutMs: 30_000,
  });

  it('pools by transaction, caps the server connections and routes every database to Postgres', () => {
    expect(ini).toMatch(/^pool_mode = transaction$/m);
    expect(ini).toMatch(/^default_pool_size = 20$/m);
    expect(ini).toMatch(/^max_db_connections = 20$/m);
    expect(ini).toMatch(/^\* = host=127\.0\.0\.1 port=5432 /m);
  });

  it("drops node-postgres's statement_timeout startup parameter and sets the timeout on the server side", () => {
    expect(ini).toMatch(/^ignore_startup_parameters = extra_float_digits,statement_timeout$/m);
    expect(ini).toContain("connect_query='SET statement_timeout = 30000'");
  });

  it('quotes the user list as PgBouncer reads it', () => {
    expect(renderPgbouncerUserlist('simstream', 'pa"ss')).toBe('"simstream" "pa""ss"\n');
  });

  it('reads the version from pgbouncer --version', () => {
    expect(parsePgbouncerVersion('PgBouncer 1.18.0\nlibevent 2.1.12-stable\n')).toBe('1.18.0');
  });
});
