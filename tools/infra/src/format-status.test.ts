import { describe, expect, it } from 'vitest';
import { formatDown, formatStatus, formatUp } from './format-status.js';

describe('format-status', () => {
  it('aligns one row per service with readable units', () => {
    const text = formatStatus([
      {
        name: 'redis',
        state: 'running',
        pid: 42,
        address: '127.0.0.1:6379',
        ready: true,
        detail: 'PING -> PONG',
        dataDir: '/d/redis',
        version: '7.0.15',
        rssKiB: 12288,
        treePssKiB: 4096,
      },
      {
        name: 'kafka',
        state: 'stopped',
        pid: null,
        address: '127.0.0.1:9092',
        ready: false,
        detail: 'not running',
        dataDir: '/d/kafka',
        version: '3.9.2',
        rssKiB: null,
        treePssKiB: null,
      },
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(
      /^redis\s+running\s+yes\s+42\s+127\.0\.0\.1:6379\s+7\.0\.15\s+12 MiB\s+\/d\/redis\s+PING -> PONG$/,
    );
    expect(lines[2]).toMatch(/^kafka\s+stopped\s+no\s+-\s+/);
    // Columns line up: every row has the ADDRESS column at the same offset.
    expect(new Set(lines.map((l) => l.indexOf('127.0.0.1')).slice(1))).toEqual(
      new Set([lines[0]!.indexOf('ADDRESS')]),
    );
    expect(formatUp([{ name: 'redis', action: 'started', pid: 1, readyMs: 1234, detail: 'ok' }])).toMatch(
      /redis\s+started\s+1\s+1\.2 s\s+ok/,
    );
    expect(formatDown([{ name: 'redis', action: 'stopped', detail: 'pid 1 (SIGTERM)' }])).toMatch(
      /redis\s+stopped\s+pid 1/,
    );
  });
});
