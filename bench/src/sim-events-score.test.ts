import { describe, expect, it } from 'vitest';
import { ewmaCusum, rollingZScore } from './sim-events-baselines.js';
import type { Run } from './sim-events-runs.js';
import { alarmFrames, chooseThreshold, eventWindow, evaluate } from './sim-events-score.js';

const protocol = { probation: 10, refractory: 5, budgetPer10k: 0.5 };

function run(id: string, frames: number, onset?: number): Run {
  return {
    id,
    cls: onset === undefined ? 'quiet-noise' : 'karman-onset',
    seed: 1000,
    features: Array.from({ length: frames }, () => new Float64Array(1)),
    onset,
    event: '',
  };
}

describe('sim-events scoring', () => {
  it('raises no alarm in probation and at most one per refractory period', () => {
    const scores = new Float64Array(40).fill(1);
    expect(alarmFrames(scores, 0.5, protocol)).toEqual([10, 16, 22, 28, 34]);
    expect(alarmFrames(scores, 1.5, protocol)).toEqual([]);
  });

  it('gives an event a NAB-length window from its onset', () => {
    expect(eventWindow(run('a', 800, 500))).toEqual({ left: 500, right: 579 });
    expect(eventWindow(run('q', 800))).toBeUndefined();
  });

  it('picks the lowest threshold within the false-alarm budget of the quiet frames', () => {
    // 20,000 quiet frames (two runs) allow one false alarm: a blip at 0.7 may stay, 0.9 may not.
    const quiet = [run('q1', 10_010), run('q2', 10_010)];
    const a = new Float64Array(10_010).fill(0.1);
    const b = new Float64Array(10_010).fill(0.1);
    a[500] = 0.9;
    b[700] = 0.7;
    expect(chooseThreshold(quiet, [a, b], protocol)).toBe(0.9);
    b[800] = 0.95;
    expect(chooseThreshold(quiet, [a, b], protocol)).toBe(0.95);
  });

  it('counts found events, their delays and the false alarms before the onset', () => {
    const runs = [run('e1', 400, 300), run('e2', 400, 300)];
    const s1 = new Float64Array(400);
    s1[50] = 1; // before the onset: a false alarm
    s1[303] = 1; // found, 3 frames late
    const s2 = new Float64Array(400); // missed
    const e = evaluate(runs, [s1, s2], 0.5, protocol);
    expect(e.overall).toMatchObject({
      found: 1,
      missed: 1,
      delayMedian: 3,
      falseAlarms: 1,
      quietFrames: 580,
    });
  });
});

describe('sim-events baselines', () => {
  const series = (n: number, at: number, jump: number) =>
    Array.from({ length: n }, (_, t) => Float64Array.of(Math.sin(t) * 0.1 + (t >= at ? jump : 0)));

  it('rolling z-score: a jump stands out at once', () => {
    const s = rollingZScore(50)(series(200, 150, 5));
    expect(s[150]).toBeGreaterThan(7);
    expect(Math.max(...s.slice(60, 150))).toBeLessThan(3);
  });

  it('EWMA-CUSUM: grows after a shift and stays near 0 before it', () => {
    const s = ewmaCusum(50, 1)(series(300, 200, 5));
    expect(Math.max(...s.slice(100, 200))).toBeLessThan(1);
    expect(s[205]!).toBeGreaterThan(10);
  });
});
