import { describe, expect, it } from 'vitest';
import { UnavailableError, ValidationError } from '@simstream/errors';
import { createMetricsRegistry } from '@simstream/observability';
import { Breaker, BreakerOpenError } from './breaker.js';
import { isClientError } from './client-errors.js';
import { backoffMs, retry } from './retry.js';

describe('Breaker', () => {
  it('opens after failures, fails fast, and closes after a successful half-open probe', async () => {
    const registry = createMetricsRegistry({ service: 't', defaultMetrics: false });
    let up = false;
    const breaker = new Breaker(
      'query',
      () =>
        up ? Promise.resolve('ok') : Promise.reject(new UnavailableError('query', 'connection refused')),
      { timeoutMs: 100, volumeThreshold: 3, resetTimeoutMs: 50 },
      { registry },
    );
    for (let i = 0; i < 3; i++) await expect(breaker.call()).rejects.toBeInstanceOf(UnavailableError);
    expect(breaker.state).toBe('open');
    await expect(breaker.call()).rejects.toBeInstanceOf(BreakerOpenError);
    await expect(breaker.check()).rejects.toThrow(/open/);
    expect(await registry.getSingleMetricAsString('simstream_breaker_state')).toMatch(
      /simstream_breaker_state\{breaker="query"[^}]*\} 2/,
    );
    up = true;
    await new Promise((r) => setTimeout(r, 80));
    expect(await breaker.call()).toBe('ok');
    expect(breaker.state).toBe('closed');
    breaker.shutdown();
  });

  it('does not count bad requests as failures of the dependency, and times out slow calls', async () => {
    const bad = new Breaker(
      'q',
      () => Promise.reject(new ValidationError([{ field: 'x', reason: 'R', description: 'bad' }])),
      { timeoutMs: 100, volumeThreshold: 2 },
    );
    for (let i = 0; i < 5; i++) await expect(bad.call()).rejects.toBeInstanceOf(ValidationError);
    expect(bad.state).toBe('closed');
    const slow = new Breaker('s', () => new Promise<string>((r) => setTimeout(() => r('late'), 200)), {
      timeoutMs: 20,
    });
    await expect(slow.call()).rejects.toThrow(/timed out/);
    bad.shutdown();
    slow.shutdown();
  });
});

describe('Breaker and client errors', () => {
  it('never counts a client error as a failure, even when the caller says everything is one', async () => {
    const grpcError = (code: number) => Object.assign(new Error(`status ${code}`), { code, metadata: {} });
    const clientErrors: Error[] = [
      grpcError(3), // INVALID_ARGUMENT
      grpcError(5), // NOT_FOUND
      grpcError(8), // RESOURCE_EXHAUSTED (a tenant's cap)
      grpcError(16), // UNAUTHENTICATED
      Object.assign(new Error('bad'), { status: 400, retriable: true }),
      Object.assign(new Error('slow'), { statusCode: 408 }),
    ];
    let next = 0;
    const breaker = new Breaker('c', () => Promise.reject(clientErrors[next++ % clientErrors.length]!), {
      timeoutMs: 100,
      volumeThreshold: 2,
      isFailure: () => true,
    });
    for (let i = 0; i < 12; i++) await expect(breaker.call()).rejects.toBeDefined();
    expect(breaker.state).toBe('closed');
    breaker.shutdown();
  });

  it('still counts a dependency failure (INTERNAL, a 502) as one', async () => {
    const internal = Object.assign(new Error('internal'), { code: 13, metadata: {} });
    const breaker = new Breaker('d', () => Promise.reject(internal), { timeoutMs: 100, volumeThreshold: 2 });
    for (let i = 0; i < 3; i++) await expect(breaker.call()).rejects.toBeDefined();
    expect(breaker.state).toBe('open');
    expect(isClientError(Object.assign(new Error('x'), { status: 502 }))).toBe(false);
    breaker.shutdown();
  });
});

describe('retry', () => {
  it('retries retriable errors with capped, jittered backoff and gives up on others', async () => {
    let calls = 0;
    expect(
      await retry(
        () => (++calls < 3 ? Promise.reject(new UnavailableError('x', 'down')) : Promise.resolve(calls)),
        { retries: 5, baseMs: 1 },
      ),
    ).toBe(3);
    calls = 0;
    await expect(
      retry(() => (calls++, Promise.reject(new Error('bug'))), { retries: 5, baseMs: 1 }),
    ).rejects.toThrow('bug');
    expect(calls).toBe(1);
    expect(backoffMs(10, 100, 5000, () => 1)).toBe(5000);
    expect(backoffMs(2, 100, 5000, () => 0.5)).toBe(200);
  });
});
