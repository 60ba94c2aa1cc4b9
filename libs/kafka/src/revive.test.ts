import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@simstream/observability';
import type { ConsumerTransport } from './consumer-transport.js';
import { RevivingConsumer } from './revive.js';

/** Just what RevivingConsumer touches of a consumer transport: its events and disconnect. */
class FakeConsumer extends EventEmitter {
  disconnected = false;
  disconnect(): Promise<void> {
    this.disconnected = true;
    return Promise.resolve();
  }
  crash(restart: boolean): void {
    this.emit('crash', new Error('Failed to find group coordinator'), restart);
  }
}

const logger = createLogger({
  service: 'test',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(options: { stallMs?: number; quiet?: () => boolean } = {}) {
  const made: FakeConsumer[] = [];
  const started: FakeConsumer[] = [];
  const runner = new RevivingConsumer({
    create: () => {
      const c = new FakeConsumer();
      made.push(c);
      return c as unknown as ConsumerTransport;
    },
    start: (c) => {
      started.push(c as unknown as FakeConsumer);
      return Promise.resolve();
    },
    logger,
    name: 'test-group',
    ...options,
  });
  return { runner, made, started };
}

describe('RevivingConsumer', () => {
  it('replaces a consumer that kafkajs gave up on, and leaves the ones kafkajs restarts alone', async () => {
    const { runner, made, started } = setup();
    await runner.start();
    made[0]!.crash(true); // the client restarts it itself
    await sleep(300);
    expect(made).toHaveLength(1);
    made[0]!.crash(false); // the client stops for good
    expect(runner.stalled).toBe(true);
    await sleep(400);
    expect(made).toHaveLength(2);
    expect(made[0]!.disconnected).toBe(true);
    expect(started).toEqual([made[0], made[1]]);
    expect(runner.current).toBe(made[1]);
    expect(runner.stalled).toBe(false);
    await runner.stop();
  });

  it('replaces a consumer silent for stallMs, unless silence is expected', async () => {
    let quiet = true;
    const { runner, made } = setup({ stallMs: 200, quiet: () => quiet });
    await runner.start();
    await sleep(400);
    expect(made).toHaveLength(1); // paused by the service: silence is fine
    quiet = false;
    for (let i = 0; i < 4; i++) {
      made[0]!.emit('alive');
      await sleep(100);
    }
    expect(made).toHaveLength(1); // alive
    await sleep(700);
    expect(made.length).toBeGreaterThanOrEqual(2); // silent: replaced
    await runner.stop();
  });
});
