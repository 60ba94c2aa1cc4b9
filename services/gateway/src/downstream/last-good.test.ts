import { describe, expect, it } from 'vitest';
import { UnavailableError } from '@simstream/errors';
import { HttpError } from '../problem.js';
import { LastGood } from './last-good.js';

describe('LastGood', () => {
  it('serves the last answer, with its age, only for retriable failures within the TTL', async () => {
    let now = 0;
    let fallbacks = 0;
    const cache = new LastGood<string>(1000, 10, () => now);
    const down = () => Promise.reject(new UnavailableError('query', 'down'));
    await expect(cache.get('k', down)).rejects.toBeInstanceOf(UnavailableError);
    expect(await cache.get('k', () => Promise.resolve('v1'))).toEqual({ value: 'v1' });
    now = 400;
    expect(await cache.get('k', down, () => fallbacks++)).toEqual({ value: 'v1', staleMs: 400 });
    expect(fallbacks).toBe(1);
    await expect(
      cache.get('k', () => Promise.reject(new HttpError(404, 'SIMULATION_NOT_FOUND', 'gone'))),
    ).rejects.toMatchObject({ status: 404 });
    now = 1500;
    await expect(cache.get('k', down)).rejects.toBeInstanceOf(UnavailableError);
    cache.forget('k');
    now = 1600;
    await expect(cache.get('k', down)).rejects.toBeInstanceOf(UnavailableError);
  });
});
