import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import { formatEvent, parseEventKinds } from './event-actions.js';

describe('parseEventKinds', () => {
  it('takes the short names, their aliases and all', () => {
    expect(parseEventKinds('anomaly,pattern')).toEqual(['anomaly', 'pattern_change']);
    expect(parseEventKinds('quantum, partition')).toEqual(['quantum_partition']);
    expect(parseEventKinds('all')).toEqual(['anomaly', 'pattern_change', 'quantum_partition']);
  });
  it('names what it does not know', () => {
    expect(() => parseEventKinds('anomaly,spikes')).toThrow(ValidationError);
    expect(() => parseEventKinds('anomaly,spikes')).toThrow(/'spikes' is not one of/);
  });
});

describe('formatEvent', () => {
  it('says the step, the kind and the reason, and any events dropped before it', () => {
    const event = {
      simulationId: 'sim',
      step: 120,
      kind: 'ANALYSIS_EVENT_KIND_ANOMALY' as const,
      score: 0.97,
      reason: 'anomaly score 0.97 >= 0.90',
      producedAtMs: 0,
      droppedBefore: 0,
    };
    expect(formatEvent(event)).toBe('event: step 120 anomaly: anomaly score 0.97 >= 0.90');
    expect(formatEvent({ ...event, droppedBefore: 3 })).toBe(
      'event: step 120 anomaly: anomaly score 0.97 >= 0.90 (3 events dropped before it)',
    );
  });
});
