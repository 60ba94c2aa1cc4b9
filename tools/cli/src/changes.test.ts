import { describe, expect, it } from 'vitest';
import { ValidationError } from '@simstream/errors';
import { ChangeSchedule, describeChange, parseChange } from './changes.js';

describe('parameter changes', () => {
  it('parses a frame and its parameters, numbers as numbers', () => {
    expect(parseChange('300:reynolds=150,preset=mitosis')).toEqual({
      atFrame: 300,
      parameters: { reynolds: 150, preset: 'mitosis' },
    });
    expect(parseChange('reynolds=150')).toBeUndefined();
    expect(parseChange('300:reynolds')).toBeUndefined();
    expect(parseChange('x:reynolds=1')).toBeUndefined();
  });

  it('hands out each change once, before the advance that produces its frame, in frame order', () => {
    const schedule = new ChangeSchedule([
      { atFrame: 3, parameters: { F: 0.03 } },
      { atFrame: 1, parameters: { reynolds: 60 } },
      { atFrame: 3, parameters: { k: 0.06 } },
    ]);
    const due = Array.from({ length: 4 }, () => schedule.next().map((c) => c.parameters));
    expect(due).toEqual([[{ reynolds: 60 }], [], [{ F: 0.03 }, { k: 0.06 }], []]);
  });

  it('refuses frame 0 and fractions (frame 0 is the initial state)', () => {
    expect(() => new ChangeSchedule([{ atFrame: 0, parameters: {} }])).toThrow(ValidationError);
    expect(() => new ChangeSchedule([{ atFrame: 1.5, parameters: {} }])).toThrow(/frame 1 or later/);
  });

  it('describes a change for the log', () => {
    expect(describeChange({ reynolds: 150, inflow: false })).toBe('reynolds → 150, inflow → false');
  });
});
