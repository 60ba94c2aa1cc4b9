import { describe, expect, it } from 'vitest';
import { EventQueue, type QueuedEvent } from './event-queue.js';

const item = (step: number, kind = 'anomaly'): QueuedEvent => ({
  kind,
  event: { simulationId: 'sim', step, kind: 'ANALYSIS_EVENT_KIND_ANOMALY' },
});

describe('EventQueue', () => {
  it('is first in, first out', () => {
    const q = new EventQueue(4);
    q.push(item(1));
    q.push(item(2));
    expect(q.shift()?.event.step).toBe(1);
    expect(q.shift()?.event.step).toBe(2);
    expect(q.shift()).toBeUndefined();
  });

  it('asks the source to pause at the mark and to resume at half of it', () => {
    const q = new EventQueue(8, 4);
    for (let i = 0; i < 3; i++) q.push(item(i));
    expect(q.full).toBe(false);
    q.push(item(3));
    expect(q.full).toBe(true);
    q.shift();
    expect(q.low).toBe(false);
    q.shift();
    expect(q.low).toBe(true);
  });

  it('drops the oldest past capacity, counts them by kind, and tells the next event written', () => {
    const q = new EventQueue(3);
    q.push(item(1, 'anomaly'));
    q.push(item(2, 'pattern_change'));
    q.push(item(3));
    expect(q.push(item(4))?.event.step).toBe(1);
    expect(q.push(item(5))?.event.step).toBe(2);
    expect(q.size).toBe(3);
    expect(Object.fromEntries(q.droppedByKind)).toEqual({ anomaly: 1, pattern_change: 1 });
    const next = q.shift()!;
    expect(next.event.step).toBe(3);
    expect(next.event.droppedBefore).toBe(2);
    expect(q.shift()?.event.droppedBefore).toBeUndefined();
  });

  it('stays bounded over many pushes', () => {
    const q = new EventQueue(16);
    for (let i = 0; i < 10_000; i++) q.push(item(i));
    expect(q.size).toBe(16);
    expect(q.shift()?.event.step).toBe(10_000 - 16);
  });

  it('refuses a pause mark above capacity', () => {
    expect(() => new EventQueue(2, 3)).toThrow(RangeError);
  });
});
