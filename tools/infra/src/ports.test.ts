import { describe, expect, it } from 'vitest';
import { summarizeArgv } from './ports.js';

describe('summarizeArgv', () => {
  it('keeps short command lines whole and shortens long ones to program and last arguments', () => {
    expect(summarizeArgv(['/usr/bin/redis-server', '127.0.0.1:6379'])).toBe(
      '/usr/bin/redis-server 127.0.0.1:6379',
    );
    const java = [
      'java',
      ...Array.from({ length: 20 }, (_, i) => `-XX:Option${i}=value`),
      'kafka.Kafka',
      '/d/server.properties',
    ];
    expect(summarizeArgv(java)).toBe('java … kafka.Kafka /d/server.properties');
  });
});
