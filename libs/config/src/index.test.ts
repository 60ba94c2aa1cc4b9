import { describe, expect, it } from 'vitest';
import { ConfigError } from '@simstream/errors';
import { describeConfig, env, loadConfig, parseBytes, parseDuration } from './index.js';

const shape = {
  KAFKA_BROKERS: env.list(),
  GRPC_PORT: env.port(50051),
  MAX_FRAME_BYTES: env.bytes('64MiB'),
  OUTAGE_TIMEOUT: env.duration('30s'),
  CHECK_FINITE: env.bool(false),
  LOG_LEVEL: env.oneOf(['debug', 'info', 'warn'] as const, 'info'),
};

describe('loadConfig', () => {
  it('parses and applies defaults', () => {
    const config = loadConfig(shape, {
      KAFKA_BROKERS: 'a:9092, b:9092',
      CHECK_FINITE: 'true',
      LOG_LEVEL: '',
    });
    expect(config).toEqual({
      KAFKA_BROKERS: ['a:9092', 'b:9092'],
      GRPC_PORT: 50051,
      MAX_FRAME_BYTES: 64 * 1024 * 1024,
      OUTAGE_TIMEOUT: 30_000,
      CHECK_FINITE: true,
      LOG_LEVEL: 'info',
    });
  });

  it('names every missing or wrong variable at once', () => {
    let error: unknown;
    try {
      loadConfig(shape, {
        GRPC_PORT: '70000',
        MAX_FRAME_BYTES: '12XB',
        OUTAGE_TIMEOUT: 'soon',
        CHECK_FINITE: 'maybe',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe('KAFKA_BROKERS: required but not set');
    expect(problems.join('\n')).toMatch(/GRPC_PORT: .*65535/);
    expect(problems.join('\n')).toContain("MAX_FRAME_BYTES: '12XB' is not a size (e.g. 64MiB)");
    expect(problems.join('\n')).toContain("OUTAGE_TIMEOUT: 'soon' is not a duration");
    expect(problems.join('\n')).toMatch(/CHECK_FINITE: expected true or false/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL: /);
    expect((error as ConfigError).message).toContain('KAFKA_BROKERS');
  });

  it('describes a schema for documentation', () => {
    expect(describeConfig(shape).slice(0, 2)).toEqual([
      { name: 'KAFKA_BROKERS', default: undefined, required: true },
      { name: 'GRPC_PORT', default: 50051, required: false },
    ]);
  });
});

describe('units', () => {
  it('parses sizes and durations', () => {
    expect(parseBytes('4KiB')).toBe(4096);
    expect(parseBytes('1.5MB')).toBe(1_500_000);
    expect(parseBytes('7 parsecs')).toBeUndefined();
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('-1s')).toBeUndefined();
    expect(parseDuration('20', 's')).toBe(20_000);
    expect(parseDuration('1.5', 's')).toBe(1500);
    expect(parseDuration('20s', 's')).toBe(20_000);
    expect(parseDuration('500ms', 's')).toBe(500);
  });
});
