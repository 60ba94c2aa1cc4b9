import { describe, expect, it } from 'vitest';
import type { ResultRecord } from './store.js';
import { Waker, runTail, type TailSink, type TailSource } from './tail.js';

const row = (step: number): ResultRecord => ({
  step,
  simTime: step,
  producedAtMs: step,
  score: step,
  payload: {},
});

/** A results table that grows while the tail reads it, with hooks to act between reads. */
class Table implements TailSource {
  steps: number[] = [];
  reads = 0;
  onRead: (reads: number) => void = () => undefined;
  after(afterStep: number, limit: number): Promise<ResultRecord[]> {
    this.onRead(++this.reads);
    return Promise.resolve(
      this.steps
        .filter((s) => s > afterStep)
        .slice(0, limit)
        .map(row),
    );
  }
  latest(): Promise<ResultRecord | undefined> {
    this.onRead(++this.reads);
    const last = this.steps.at(-1);
    return Promise.resolve(last === undefined ? undefined : row(last));
  }
}

/** A client whose buffer takes `capacity` messages before `write` says false. */
class Client implements TailSink {
  received: number[] = [];
  buffered = 0;
  private release: (() => void) | undefined;
  constructor(private readonly capacity: number) {}
  write(r: ResultRecord): boolean {
    this.received.push(r.step);
    this.buffered++;
    return this.buffered < this.capacity;
  }
  drained(): Promise<void> {
    return new Promise((resolve) => (this.release = resolve));
  }
  drain(): void {
    this.buffered = 0;
    this.release?.();
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('runTail', () => {
  it('sends history page by page, then what is committed meanwhile, without a gap or a duplicate', async () => {
    const table = new Table();
    table.steps = [0, 1, 2, 3, 4, 5, 6];
    const waker = new Waker();
    const client = new Client(1000);
    const controller = new AbortController();
    // New results land between the history reads (each commit wakes the tail).
    table.onRead = (reads) => {
      if (reads <= 3) {
        table.steps.push(100 + reads);
        waker.wake();
      }
      if (reads === 6) controller.abort();
    };
    await runTail(table, client, waker, {
      fromStep: 2,
      latestOnly: false,
      pageSize: 2,
      pollIntervalMs: () => 60_000,
      signal: controller.signal,
    });
    expect(client.received).toEqual([2, 3, 4, 5, 6, 101, 102, 103]);
  });

  it('without from_step starts after the newest result', async () => {
    const table = new Table();
    table.steps = [0, 1, 2];
    const waker = new Waker();
    const client = new Client(1000);
    const controller = new AbortController();
    const done = runTail(table, client, waker, {
      fromStep: undefined,
      latestOnly: false,
      pageSize: 10,
      pollIntervalMs: () => 60_000,
      signal: controller.signal,
    });
    await tick();
    table.steps.push(3);
    waker.wake();
    await tick();
    controller.abort();
    await done;
    expect(client.received).toEqual([3]);
  });

  it('waits for the client to drain before reading more (no buffering on the server)', async () => {
    const table = new Table();
    table.steps = Array.from({ length: 10 }, (_, i) => i);
    const client = new Client(3);
    const controller = new AbortController();
    const done = runTail(table, client, new Waker(), {
      fromStep: 0,
      latestOnly: false,
      pageSize: 100,
      pollIntervalMs: () => 60_000,
      signal: controller.signal,
    });
    await tick();
    expect(client.received).toEqual([0, 1, 2]);
    client.drain();
    await tick();
    expect(client.received).toEqual([0, 1, 2, 3, 4, 5]);
    controller.abort();
    client.drain();
    await done;
  });

  it('latest-only sends the newest result, skips what came while the client was slow', async () => {
    const table = new Table();
    table.steps = [0, 1, 2];
    const waker = new Waker();
    const client = new Client(1);
    const controller = new AbortController();
    const done = runTail(table, client, waker, {
      fromStep: undefined,
      latestOnly: true,
      pageSize: 100,
      pollIntervalMs: () => 60_000,
      signal: controller.signal,
    });
    await tick();
    expect(client.received).toEqual([2]);
    for (const s of [3, 4, 5, 6]) {
      table.steps.push(s);
      waker.wake();
    }
    await tick();
    expect(client.received).toEqual([2]); // still blocked on the first write
    client.drain();
    await tick();
    expect(client.received).toEqual([2, 6]);
    controller.abort();
    client.drain();
    await done;
  });

  it('polls when no notification comes', async () => {
    const table = new Table();
    const client = new Client(1000);
    const controller = new AbortController();
    const done = runTail(table, client, new Waker(), {
      fromStep: 0,
      latestOnly: false,
      pageSize: 10,
      pollIntervalMs: () => 5,
      signal: controller.signal,
    });
    table.steps.push(0, 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    await done;
    expect(client.received).toEqual([0, 1]);
  });
});
