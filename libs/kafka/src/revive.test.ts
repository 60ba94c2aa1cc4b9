import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@simstream/observability';
import { RevivingConsumer } from './revive.js';

const EVENTS = {
  FETCH_START: 'fetch_start',
  FETCH: 'fetch',
  START_BATCH_PROCESS: 'start_batch',
  END_BATCH_PROCESS: 'end_batch',
  HEARTBEAT: 'heartbeat',
  GROUP_JOIN: 'group_join',
  CRASH: 'crash',
};

/** Just what RevivingConsumer touches of a kafkajs consumer. */
class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  disconnected = false;
  disconnect(): Promise<void> {
    this.disconnected = true;
    return Promise.resolve();
  }
  crash(restart: boolean): void {
    this.emit(EVENTS.CRASH, { payload: { error: new Error('Failed to find group coordinator'), restart } });
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
      return c as unknown as Consumer;
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
    made[0]!.crash(true); // kafkajs restarts it itself
    await sleep(300);
    expect(made).toHaveLength(1);
    made[0]!.crash(false); // kafkajs stops for good
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
      made[0]!.emit(EVENTS.FETCH);
      await sleep(100);
    }
    expect(made).toHaveLength(1); // alive
    await sleep(700);
    expect(made.length).toBeGreaterThanOrEqual(2); // silent: replaced
    await runner.stop();
  });
});
