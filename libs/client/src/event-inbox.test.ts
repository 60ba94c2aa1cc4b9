import { describe, expect, it } from 'vitest';
import type { AnalysisEventOutput } from '@simstream/contracts';
import { EventInbox, eventName } from './event-inbox.js';

const event = (kind: string, step: number, droppedBefore = 0): AnalysisEventOutput => ({
  simulationId: 'sim',
  step,
  kind: kind as AnalysisEventOutput['kind'],
  score: 1,
  reason: 'r',
  producedAtMs: 0,
  droppedBefore,
});

describe('EventInbox', () => {
  it('subscribes to the kinds and threshold asked for, since the step given', () => {
    const inbox = new EventInbox({
      kinds: ['anomaly', 'quantum_partition'],
      anomalyThreshold: 0.8,
      sinceStep: 5,
    });
    expect(inbox.subscription()).toEqual({
      kinds: ['ANALYSIS_EVENT_KIND_ANOMALY', 'ANALYSIS_EVENT_KIND_QUANTUM_PARTITION'],
      anomalyThreshold: 0.8,
      sinceStep: 5,
    });
    expect(new EventInbox({}).subscription()).toEqual({ kinds: [] });
  });

  it('hands each (kind, step) over once and asks for events since the last step seen', () => {
    const seen: string[] = [];
    const inbox = new EventInbox({ onEvent: (e) => seen.push(`${eventName(e)} ${e.step}`) });
    inbox.accept(event('ANALYSIS_EVENT_KIND_ANOMALY', 3));
    inbox.accept(event('ANALYSIS_EVENT_KIND_PATTERN_CHANGE', 3));
    inbox.accept(event('ANALYSIS_EVENT_KIND_ANOMALY', 7));
    // After a reconnect with since_step 7 the server sends step 7 again.
    expect(inbox.subscription().sinceStep).toBe(7);
    inbox.accept(event('ANALYSIS_EVENT_KIND_ANOMALY', 7));
    inbox.accept(event('ANALYSIS_EVENT_KIND_QUANTUM_PARTITION', 0, 2));
    expect(seen).toEqual(['anomaly 3', 'pattern_change 3', 'anomaly 7', 'quantum_partition 0']);
    expect(inbox.stats).toEqual({ received: 5, duplicates: 1, droppedByServer: 2, droppedHere: 0 });
    // The partition of step 0 came last: its source is the one behind.
    expect(inbox.subscription().sinceStep).toBe(0);
  });

  it('iterates what arrives until closed', async () => {
    const inbox = new EventInbox({});
    const iterator = inbox.iterate();
    const first = iterator.next();
    inbox.accept(event('ANALYSIS_EVENT_KIND_ANOMALY', 1));
    const stepOf = (r: IteratorResult<AnalysisEventOutput, void>) =>
      r.done === true ? undefined : r.value.step;
    expect(stepOf(await first)).toBe(1);
    inbox.accept(event('ANALYSIS_EVENT_KIND_ANOMALY', 2));
    inbox.close();
    expect(stepOf(await iterator.next())).toBe(2);
    expect((await iterator.next()).done).toBe(true);
  });

  it('keeps at most maxBuffered events for a reader that does not read', async () => {
    const inbox = new EventInbox({ maxBuffered: 2 });
    const iterator = inbox.iterate();
    void iterator.next(); // starts iterating
    await Promise.resolve();
    for (let s = 0; s < 5; s++) inbox.accept(event('ANALYSIS_EVENT_KIND_ANOMALY', s));
    expect(inbox.stats.droppedHere).toBe(3);
    inbox.close();
  });
});

describe('EventInbox since_step', () => {
  it('asks since the last step of the slower source, so a lagging partition is not skipped', () => {
    const inbox = new EventInbox({});
    inbox.accept(event('ANALYSIS_EVENT_KIND_QUANTUM_PARTITION', 80));
    inbox.accept(event('ANALYSIS_EVENT_KIND_ANOMALY', 95));
    inbox.accept(event('ANALYSIS_EVENT_KIND_PATTERN_CHANGE', 97));
    expect(inbox.subscription().sinceStep).toBe(80);
    inbox.accept(event('ANALYSIS_EVENT_KIND_QUANTUM_PARTITION', 90));
    expect(inbox.subscription().sinceStep).toBe(90);
  });
});
