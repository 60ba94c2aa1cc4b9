import { describe, expect, it } from 'vitest';
import { cmdlineMatches, parseCmdline, parseProcNetTcp, parseProcStat, parseSmapsRollup } from './proc.js';

describe('parseProcStat', () => {
  it('reads state, parent and start time even when the command has spaces and parentheses', () => {
    const line =
      '4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 1000 0 0 0 12 3 0 0 20 0 40 0 987654 1234567 890 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      comm: 'my (odd) proc',
      state: 'S',
      ppid: 1,
      startTicks: 987654,
    });
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseProcStat('garbage')).toThrow(RangeError);
  });
});

describe('cmdlineMatches', () => {
  const identity = { executable: 'java', marker: '/repo/.data/kafka/server.properties' };

  it('accepts our executable with our marker argument', () => {
    const argv = parseCmdline(
      'java\0-Xmx512m\0-cp\0/c/*\0kafka.Kafka\0/repo/.data/kafka/server.properties\0',
    );
    expect(argv).toEqual([
      'java',
      '-Xmx512m',
      '-cp',
      '/c/*',
      'kafka.Kafka',
      '/repo/.data/kafka/server.properties',
    ]);
    expect(cmdlineMatches(argv, identity)).toBe(true);
    expect(cmdlineMatches(['/usr/lib/jvm/bin/java', identity.marker], identity)).toBe(true);
    expect(cmdlineMatches(['/usr/bin/postgres', '-D', '/p'], { executable: 'postgres', marker: '/p' })).toBe(
      true,
    );
    expect(cmdlineMatches(['postgres', '--config-file=/p'], { executable: 'postgres', marker: '/p' })).toBe(
      true,
    );
  });

  it('refuses another program, another instance, or a recycled pid running something else', () => {
    expect(cmdlineMatches(['java', '/other/clone/.data/kafka/server.properties'], identity)).toBe(false);
    expect(cmdlineMatches(['javac', identity.marker], identity)).toBe(false);
    expect(cmdlineMatches(['bash', '-c', `cat ${identity.marker}`], identity)).toBe(false);
    expect(cmdlineMatches([], identity)).toBe(false);
  });
});

describe('parseProcNetTcp', () => {
  it('finds listening ports and their socket inodes', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:2384 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:D2F0 0100007F:2384 01 00000000:00000000 00:00000000 00000000     0        0 654321 1 0000000000000000 20 4 30 10 -1',
      '',
    ].join('\n');
    expect(parseProcNetTcp(text)).toEqual([
      { localAddress: '0100007F', localPort: 9092, listening: true, inode: 123456 },
      { localAddress: '0100007F', localPort: 54000, listening: false, inode: 654321 },
    ]);
  });
});

describe('parseSmapsRollup', () => {
  it('reads Rss and Pss in KiB', () => {
    const text =
      '55d0-7ffd ---p 00000000 00:00 0    [rollup]\nRss:              329416 kB\nPss:              301000 kB\nPss_Anon: 1 kB\n';
    expect(parseSmapsRollup(text)).toEqual({ rssKiB: 329416, pssKiB: 301000 });
  });
});
