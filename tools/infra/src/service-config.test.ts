import { describe, expect, it } from 'vitest';
import { influxQueryError, renderInfluxConf, showDatabasesLists } from './influxdb-config.js';
import {
  newestPostgresVersion,
  parsePostgresVersion,
  renderPgHba,
  renderPostgresConf,
  socketDirFits,
} from './postgres-config.js';
import { parseRedisProbeReply, renderRedisConf } from './redis-config.js';

describe('postgres config', () => {
  it('listens on loopback only, with the socket in the data dir', () => {
    const conf = renderPostgresConf({ host: '127.0.0.1', port: 5432, socketDir: '/d/pg' });
    expect(conf).toContain("listen_addresses = '127.0.0.1'");
    expect(conf).toContain('port = 5432');
    expect(conf).toContain("unix_socket_directories = '/d/pg'");
    expect(renderPostgresConf({ host: '127.0.0.1', port: 5432, socketDir: undefined })).toContain(
      "unix_socket_directories = ''",
    );
  });

  it('asks for passwords on TCP and trusts only the private socket', () => {
    const hba = renderPgHba('127.0.0.1')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(/\s+/));
    expect(hba).toEqual([
      ['local', 'all', 'all', 'trust'],
      ['host', 'all', 'all', '127.0.0.1/32', 'scram-sha-256'],
    ]);
  });

  it('knows the socket path limit, picks the newest server, reads its version', () => {
    expect(socketDirFits('/work/main/.data/postgres/pgdata', 5432)).toBe(true);
    expect(socketDirFits('/' + 'x'.repeat(100), 5432)).toBe(false);
    expect(newestPostgresVersion(['9.6', '15', '13', 'README'])).toBe('15');
    expect(newestPostgresVersion([])).toBeUndefined();
    expect(parsePostgresVersion('postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n')).toBe('15.18');
  });
});

describe('redis config and probe reply', () => {
  it('binds loopback, keeps its data in our dir and keeps argv for the cmdline check', () => {
    const conf = renderRedisConf({
      host: '127.0.0.1',
      port: 6379,
      dataDir: '/d/redis/data',
      logFile: '/d/redis/redis.log',
    });
    expect(conf).toContain('bind 127.0.0.1\n');
    expect(conf).toContain('port 6379\n');
    expect(conf).toContain('dir "/d/redis/data"\n');
    expect(conf).toContain('set-proc-title no\n');
  });

  it('reads PONG and the version, and waits for a complete reply', () => {
    const info = '# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n';
    const full = Buffer.from(`+PONG\r\n$${Buffer.byteLength(info)}\r\n${info}\r\n`);
    expect(parseRedisProbeReply(full)).toEqual({ pong: true, firstLine: '+PONG', version: '7.0.15' });
    expect(parseRedisProbeReply(full.subarray(0, 20))).toBeUndefined();
    expect(parseRedisProbeReply(Buffer.from('-LOADING Redis is loading\r\n'))).toEqual({
      pong: false,
      firstLine: '-LOADING Redis is loading',
      version: undefined,
    });
  });
});

describe('influxdb config and answers', () => {
  it('keeps every directory in our data dir and every listener on loopback', () => {
    const conf = renderInfluxConf({
      host: '127.0.0.1',
      port: 8086,
      rpcPort: 8088,
      metaDir: '/d/m',
      dataDir: '/d/d',
      walDir: '/d/w',
    });
    expect(conf).toContain('bind-address = "127.0.0.1:8088"');
    expect(conf).toContain('bind-address = "127.0.0.1:8086"');
    expect(conf).toContain('dir = "/d/m"');
    expect(conf).toContain('wal-dir = "/d/w"');
    expect(conf).toContain('reporting-disabled = true');
    expect(conf).toMatch(/\[ifql\]\n {2}enabled = false/);
  });

  it('reads SHOW DATABASES and query errors', () => {
    const body = {
      results: [
        {
          statement_id: 0,
          series: [{ name: 'databases', columns: ['name'], values: [['_internal'], ['simstream']] }],
        },
      ],
    };
    expect(showDatabasesLists(body, 'simstream')).toBe(true);
    expect(showDatabasesLists(body, 'other')).toBe(false);
    expect(showDatabasesLists({ results: [{ statement_id: 0 }] }, 'simstream')).toBe(false);
    expect(influxQueryError({ results: [{ statement_id: 0 }] })).toBeUndefined();
    expect(influxQueryError({ results: [{ statement_id: 0, error: 'boom' }] })).toBe('boom');
    expect(influxQueryError({ error: 'bad query' })).toBe('bad query');
  });
});
