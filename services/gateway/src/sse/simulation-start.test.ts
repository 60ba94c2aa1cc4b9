import { describe, expect, it } from 'vitest';
import { untilReadable } from './simulation-start.js';

describe('untilReadable', () => {
  it('asks again every interval until the simulation is readable', async () => {
    const answers = [false, false, true];
    let asked = 0;
    const ready = await untilReadable(
      () => Promise.resolve(answers[asked++]!),
      1,
      new AbortController().signal,
    );
    expect(ready).toBe(true);
    expect(asked).toBe(3);
  });

  it('stops waiting when the client goes away', async () => {
    const controller = new AbortController();
    let asked = 0;
    const waiting = untilReadable(
      () => {
        asked++;
        return Promise.resolve(false);
      },
      60_000,
      controller.signal,
    );
    controller.abort();
    expect(await waiting).toBe(false);
    expect(asked).toBe(1);
  });

  it('passes on what the probe throws (the stream then ends with an error event)', async () => {
    await expect(
      untilReadable(() => Promise.reject(new Error('query down')), 1, new AbortController().signal),
    ).rejects.toThrow('query down');
  });
});
