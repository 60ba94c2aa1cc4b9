import { describe, expect, it } from 'vitest';
import { ConfigError } from '@simstream/errors';
import { loadNeuromorphicConfig } from './config.js';

describe('loadNeuromorphicConfig', () => {
  it('has working defaults', () => {
    const c = loadNeuromorphicConfig({});
    expect(c).toMatchObject({
      opsPort: 9102,
      backend: 'auto',
      consumerGroup: 'simstream-neuromorphic',
      partitionConcurrency: 12,
      maxFields: 8,
      checkpointEvery: 50,
      checkpointIntervalMs: 30_000,
      tenants: undefined,
      detector: { neurons: 400 },
    });
  });

  it('reads tenants and detector options', () => {
    const c = loadNeuromorphicConfig({
      NEURO_TENANTS: 'acme, beta,,',
      NEURO_NEURONS: '128',
      NEURO_DETECTOR_OPTIONS: '{"alarmThreshold":0.6,"traceTaus":[3,30]}',
      SIMSTREAM_TF_BACKEND: 'wasm',
    });
    expect(c.tenants).toEqual(new Set(['acme', 'beta']));
    expect(c.detector).toEqual({ alarmThreshold: 0.6, traceTaus: [3, 30], neurons: 128 });
    expect(c.backend).toBe('wasm');
  });

  it('lists every bad variable at once', () => {
    const error = (() => {
      try {
        loadNeuromorphicConfig({
          NEURO_MAX_FIELDS: '0',
          SIMSTREAM_TF_BACKEND: 'gpu',
          NEURO_DETECTOR_OPTIONS: '[1]',
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join('\n');
    expect(text).toContain('NEURO_MAX_FIELDS');
    expect(text).toContain('SIMSTREAM_TF_BACKEND');
    expect(text).toContain('NEURO_DETECTOR_OPTIONS');
  });

  it('refuses detector options that are out of range or set per layout by the service', () => {
    expect(() =>
      loadNeuromorphicConfig({
        NEURO_DETECTOR_OPTIONS: '{"spectralRadius":9,"featureDim":3,"errorWeights":[1]}',
      }),
    ).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.stringContaining("'featureDim' is set by the service"),
          expect.stringContaining("'errorWeights' is set by the service"),
          expect.stringContaining('NEURO_DETECTOR_OPTIONS.spectralRadius'),
        ]),
      }),
    );
  });
});
