import { describe, expect, it } from 'vitest';
import type { pb } from '@simstream/contracts';
import { ValidationError } from '@simstream/errors';
import {
  DEFAULT_ANOMALY_THRESHOLD,
  EventDeriver,
  EventKind,
  followStart,
  kindLabel,
  subscriptionOf,
} from './analysis-events.js';

function neuro(step: number, anomalyScore: number, patternId: number): pb.Result__Output {
  return {
    simulationId: 'sim',
    step,
    kind: 'RESULT_KIND_NEUROMORPHIC',
    simTime: step,
    producedAtMs: 1000 + step,
    score: anomalyScore,
    neuromorphic: {
      anomalyScore,
      rawScore: anomalyScore / 2,
      featureNames: [],
      features: [],
      prediction: [],
      spikeRate: 0.1,
      patternId,
      novelty: 0.25,
      processingMs: 1,
      backend: 'cpu',
      model: 'lif',
    },
    output: 'neuromorphic',
  };
}

function quantum(step: number, cut?: number): pb.Result__Output {
  return {
    simulationId: 'sim',
    step,
    kind: 'RESULT_KIND_QUANTUM',
    simTime: step,
    producedAtMs: 2000 + step,
    score: -12.5,
    quantum: {
      problemKind: 'partition',
      problemHash: 'h',
      variables: 64,
      solver: 'sa',
      backend: 'cpu',
      energy: -12.5,
      ...(cut === undefined ? {} : { cut }),
      solution: Buffer.alloc(0),
      reads: 1,
      sweeps: 10,
      timeToBestMs: 1,
      totalMs: 2,
      stoppedBy: 'sweeps',
      cached: false,
    },
    output: 'quantum',
  };
}

const all = { kinds: [], sinceStep: undefined } as const;

describe('subscriptionOf', () => {
  it('defaults to every kind and the default threshold', () => {
    const s = subscriptionOf({ ...all, kinds: [] });
    expect([...s.kinds].sort()).toEqual(Object.values(EventKind).sort());
    expect(s.anomalyThreshold).toBe(DEFAULT_ANOMALY_THRESHOLD);
    expect(s.sinceStep).toBeUndefined();
  });

  it('keeps the kinds, threshold and since_step asked for', () => {
    const s = subscriptionOf({ kinds: [EventKind.anomaly], anomalyThreshold: 0, sinceStep: 40 });
    expect([...s.kinds]).toEqual([EventKind.anomaly]);
    expect(s.anomalyThreshold).toBe(0);
    expect(s.sinceStep).toBe(40);
  });

  it('refuses a threshold outside [0, 1] and unknown kinds, naming each', () => {
    let error: unknown;
    try {
      subscriptionOf({ kinds: ['ANALYSIS_EVENT_KIND_UNSPECIFIED'], anomalyThreshold: 1.5 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations.map((v) => v.reason)).toEqual([
      'EVENT_KIND_INVALID',
      'EVENT_THRESHOLD_INVALID',
    ]);
    expect(() => subscriptionOf({ kinds: [], anomalyThreshold: Number.NaN })).toThrow(ValidationError);
  });
});

describe('followStart', () => {
  const s = (sinceStep?: number) =>
    subscriptionOf({ kinds: [], ...(sinceStep === undefined ? {} : { sinceStep }) });
  it('starts after the durable step at open, reading that step for the baseline pattern', () => {
    expect(followStart(s(), 99)).toEqual({ emitAfter: 99, neuromorphicFrom: 99, quantumFrom: 100 });
  });
  it('starts at the beginning of a new simulation', () => {
    expect(followStart(s(), undefined)).toEqual({ emitAfter: -1, neuromorphicFrom: 0, quantumFrom: 0 });
  });
  it('since_step wins over the durable step, inclusive', () => {
    expect(followStart(s(40), 99)).toEqual({ emitAfter: 39, neuromorphicFrom: 39, quantumFrom: 40 });
    expect(followStart(s(0), 99)).toEqual({ emitAfter: -1, neuromorphicFrom: 0, quantumFrom: 0 });
  });
});

describe('EventDeriver', () => {
  it('emits an anomaly at or above the threshold and a pattern change when the pattern differs', () => {
    const d = new EventDeriver('sim', subscriptionOf({ kinds: [], anomalyThreshold: 0.8 }), -1);
    expect(d.neuromorphic(neuro(0, 0.1, 3))).toEqual([]); // first result: no previous pattern
    expect(d.neuromorphic(neuro(1, 0.8, 3)).map((e) => e.kind)).toEqual([EventKind.anomaly]);
    const both = d.neuromorphic(neuro(2, 0.95, 5));
    expect(both.map((e) => [e.kind, e.step])).toEqual([
      [EventKind.anomaly, 2],
      [EventKind.patternChange, 2],
    ]);
    const change = both[1]!;
    expect(change.neuromorphic).toMatchObject({ patternId: 5, previousPatternId: 3, threshold: 0.8 });
    expect(change.reason).toBe('pattern 3 -> 5 (novelty 0.25)');
    expect(change.producedAtMs).toBe(1002);
    expect(both[0]!.reason).toBe('anomaly score 0.95 >= 0.80');
    expect(d.neuromorphic(neuro(3, 0.5, 5))).toEqual([]);
  });

  it('reads steps up to emitAfter only for the baseline pattern', () => {
    const d = new EventDeriver('sim', subscriptionOf({ kinds: [], anomalyThreshold: 0.5 }), 10);
    expect(d.neuromorphic(neuro(10, 0.99, 1))).toEqual([]);
    expect(d.neuromorphic(neuro(11, 0.1, 2)).map((e) => e.kind)).toEqual([EventKind.patternChange]);
  });

  it('sends only the kinds subscribed and ignores a result seen again', () => {
    const d = new EventDeriver(
      'sim',
      subscriptionOf({ kinds: [EventKind.patternChange], anomalyThreshold: 0 }),
      -1,
    );
    expect(d.neuromorphic(neuro(0, 1, 1))).toEqual([]);
    expect(d.neuromorphic(neuro(1, 1, 2)).map((e) => e.kind)).toEqual([EventKind.patternChange]);
    expect(d.neuromorphic(neuro(1, 1, 2))).toEqual([]);
    expect(d.quantum(quantum(10))).toEqual([]);
  });

  it('turns every quantum partition after emitAfter into an event with its key numbers', () => {
    const d = new EventDeriver('sim', subscriptionOf({ kinds: [] }), 9);
    expect(d.quantum(quantum(0))).toEqual([]);
    const [event] = d.quantum(quantum(10, 7));
    expect(event).toMatchObject({
      simulationId: 'sim',
      step: 10,
      kind: EventKind.quantumPartition,
      score: -12.5,
      producedAtMs: 2010,
      reason: 'partition of 64 cells: energy -12.50, cut 7.00',
      partition: { energy: -12.5, cut: 7, variables: 64, solver: 'sa', cached: false },
    });
    expect(kindLabel(EventKind.quantumPartition)).toBe('quantum_partition');
  });
});
