import { describe, expect, it } from 'vitest';
import { backoffMs, equalJitterBackoffMs } from './retry.js';

describe('backoff', () => {
  it('full jitter: anywhere from 0 to the capped exponential delay', () => {
    expect(backoffMs(3, 100, 5000, () => 0)).toBe(0);
    expect(backoffMs(3, 100, 5000, () => 1)).toBe(800);
    expect(backoffMs(10, 100, 5000, () => 1)).toBe(5000);
  });

  it('equal jitter: at least half of the capped exponential delay', () => {
    expect(equalJitterBackoffMs(0, 100, 2000, () => 0)).toBe(50);
    expect(equalJitterBackoffMs(2, 100, 2000, () => 1)).toBe(400);
    expect(equalJitterBackoffMs(8, 100, 2000, () => 0)).toBe(1000);
    expect(equalJitterBackoffMs(8, 100, 2000, () => 1)).toBe(2000);
  });
});
