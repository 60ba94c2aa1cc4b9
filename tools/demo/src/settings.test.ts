import { describe, expect, it } from 'vitest';
import { ConfigError } from '@simstream/errors';
import { demoSettings, describeDuration } from './settings.js';

describe('demoSettings', () => {
  it('takes DEMO_DURATION in seconds, with or without the unit', () => {
    expect(demoSettings({}).durationMs).toBe(30_000);
    expect(demoSettings({ DEMO_DURATION: '' }).durationMs).toBe(30_000);
    expect(demoSettings({ DEMO_DURATION: '20s' }).durationMs).toBe(20_000);
    expect(demoSettings({ DEMO_DURATION: '20' }).durationMs).toBe(20_000);
    expect(demoSettings({ DEMO_DURATION: '10' }).durationMs).toBe(10_000);
    expect(demoSettings({ DEMO_DURATION: '2.5' }).durationMs).toBe(2500);
    expect(demoSettings({ DEMO_DURATION: '2m' }).durationMs).toBe(120_000);
    expect(demoSettings({ DEMO_DURATION: '1500ms' }).durationMs).toBe(1500);
  });

  it('refuses durations that are not one or too short to stream anything, naming the variable', () => {
    for (const text of ['ten', '-5', '10 parsecs', '0', '500ms']) {
      expect(() => demoSettings({ DEMO_DURATION: text })).toThrow(ConfigError);
      expect(() => demoSettings({ DEMO_DURATION: text })).toThrow(/DEMO_DURATION must be at least 1 s/);
    }
  });

  it('reads DEMO_KEEP', () => {
    expect(demoSettings({}).keep).toBe(false);
    expect(demoSettings({ DEMO_KEEP: '1' }).keep).toBe(true);
    expect(demoSettings({ DEMO_KEEP: '0' }).keep).toBe(false);
    expect(() => demoSettings({ DEMO_KEEP: 'yes please' })).toThrow(/DEMO_KEEP/);
  });
});

describe('describeDuration', () => {
  it('says seconds, or minutes when whole', () => {
    expect(describeDuration(20_000)).toBe('20 s');
    expect(describeDuration(1500)).toBe('1.5 s');
    expect(describeDuration(120_000)).toBe('2 min');
    expect(describeDuration(90_000)).toBe('90 s');
  });
});
