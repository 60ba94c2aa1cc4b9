import { describe, expect, it } from 'vitest';
import { DEFAULT_LIKELIHOOD, channelLikelihood, resolveConfig } from './config.js';
import { erfc, initLikelihoodState, logScale, updateLikelihood } from './likelihood.js';
import { initRangeState, updateRange } from './range.js';
import { initRepeatState, updateRepeat } from './repeat.js';
import { buildReservoir } from './reservoir-weights.js';
import { CHANNELS, scoreStep } from './score-channels.js';

describe('anomaly likelihood', () => {
  it('erfc matches known values', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    expect(erfc(-1)).toBeCloseTo(1.842700793, 7);
    expect(erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 5);
  });

  it('maps likelihoods to a log scale in [0, 1]', () => {
    expect(logScale(0.5)).toBeCloseTo(0.0301, 4);
    expect(logScale(1 - 1e-5)).toBeCloseTo(0.5, 4);
    expect(logScale(1)).toBeCloseTo(1, 6);
    expect(logScale(0)).toBe(0);
  });

  it('is 0.5 while learning, then flags an outlier of a steady stream, once', () => {
    const c = { ...DEFAULT_LIKELIHOOD, learningPeriod: 20, estimationSamples: 30, averagingWindow: 1 };
    const s = initLikelihoodState(c);
    const raw = (t: number) => 0.1 + 0.01 * Math.sin(t);
    for (let t = 0; t < 49; t++) expect(updateLikelihood(s, c, raw(t)).likelihood).toBe(0.5);
    for (let t = 49; t < 200; t++) expect(updateLikelihood(s, c, raw(t)).likelihood).toBeLessThan(0.9999);
    const spike = updateLikelihood(s, c, 1);
    expect(spike.likelihood).toBeGreaterThan(1 - 1e-5);
    expect(spike.score).toBeGreaterThan(0.5);
    // A second consecutive red is damped to yellow.
    expect(updateLikelihood(s, c, 1).likelihood).toBeCloseTo(1 - 1e-3, 9);
  });
});

describe('score channels', () => {
  it('takes the largest channel and stays quiet for the refractory period after an alarm', () => {
    const c = resolveConfig({
      featureDim: 1,
      alarmRefractory: 5,
      probation: 0,
      likelihood: { learningPeriod: 5, estimationSamples: 20, averagingWindow: 1 },
    });
    const host: Record<string, Float64Array> = { alarm: new Float64Array(3) };
    for (const ch of CHANNELS) host[`likelihood.${ch}`] = initLikelihoodState(channelLikelihood(c, ch));
    const calm = { error: 0.1, input: 0.2, novelty: 0.05, range: 0 };
    let t = 0;
    for (; t < 100; t++) scoreStep(c, host, { ...calm, error: 0.1 + 0.01 * Math.sin(t) });
    const hit = scoreStep(c, host, { ...calm, input: 50 });
    expect(hit.alarm).toBe(true);
    for (let k = 0; k < 5; k++) {
      const quiet = scoreStep(c, host, { ...calm, input: 50 });
      expect(quiet.alarm).toBe(false);
      expect(quiet.score).toBeLessThan(0.05);
    }
  });

  it('lets a score higher than the one that raised the alarm break through the refractory period', () => {
    const c = resolveConfig({ featureDim: 1, alarmRefractory: 10, probation: 0 });
    const host: Record<string, Float64Array> = { alarm: new Float64Array(3) };
    for (const ch of CHANNELS) host[`likelihood.${ch}`] = initLikelihoodState(channelLikelihood(c, ch));
    const calm = { error: 0.1, input: 0.2, novelty: 0.05, range: 0 };
    expect(scoreStep(c, host, { ...calm, range: 0.6 }).alarm).toBe(true);
    expect(scoreStep(c, host, { ...calm, range: 0.55 }).alarm).toBe(false);
    expect(scoreStep(c, host, { ...calm, range: 1 })).toMatchObject({ score: 1, alarm: true });
    expect(scoreStep(c, host, { ...calm, range: 1 }).alarm).toBe(false);
  });

  it('alarms at once when a value leaves the range seen so far', () => {
    const c = resolveConfig({ featureDim: 1, alarmRefractory: 0, probation: 0 });
    const host: Record<string, Float64Array> = { alarm: new Float64Array(3) };
    for (const ch of CHANNELS) host[`likelihood.${ch}`] = initLikelihoodState(channelLikelihood(c, ch));
    const calm = { error: 0.1, input: 0.2, novelty: 0.05, range: 0 };
    // Still learning: every likelihood is 0.5, yet the range channel decides.
    expect(scoreStep(c, host, calm).alarm).toBe(false);
    const hit = scoreStep(c, host, { ...calm, range: 1 });
    expect(hit).toEqual({ score: 1, likelihood: 1, alarm: true });
    const off = resolveConfig({ featureDim: 1, probation: 0, channels: ['error', 'input', 'novelty'] });
    expect(scoreStep(off, host, { ...calm, range: 1 }).alarm).toBe(false);
  });

  it('scores 0 and never alarms during the probation period', () => {
    const c = resolveConfig({ featureDim: 1, alarmRefractory: 0, probation: 3 });
    const host: Record<string, Float64Array> = { alarm: new Float64Array(3) };
    for (const ch of CHANNELS) host[`likelihood.${ch}`] = initLikelihoodState(channelLikelihood(c, ch));
    const hit = { error: 0.1, input: 0.2, novelty: 0.05, range: 1 };
    for (let t = 0; t < 3; t++) expect(scoreStep(c, host, hit)).toMatchObject({ score: 0, alarm: false });
    expect(scoreStep(c, host, hit)).toMatchObject({ score: 1, alarm: true });
  });
});

describe('range channel', () => {
  it('flags values beyond the seen range plus its tolerance, on weighted features only', () => {
    const s = initRangeState(2);
    const w = [1, 0];
    expect(updateRange(s, [5, 0], w, 0.1)).toBe(0); // no range yet
    expect(updateRange(s, [15, 0], w, 0.1)).toBe(1); // a feature that never moved moved: [5, 15]
    expect(updateRange(s, [15.9, 0], w, 0.1)).toBe(0); // within 10 % of the width
    expect(updateRange(s, [17.2, 100], w, 0.1)).toBe(1); // beyond 15.9 + 1.09
    expect(updateRange(s, [4, -1e6], w, 0.1)).toBe(0); // above 5 − 1.22; feature 1 has no weight
    expect(updateRange(s, [2, 0], w, 0.1)).toBe(1); // below 4 − 1.32
  });

  it('grades an exit by its excess in standard deviations when asked to', () => {
    const s = initRangeState(1);
    updateRange(s, [0], [1], 0.05);
    updateRange(s, [10], [1], 0.05);
    const std = () => 2;
    expect(updateRange(s, [10.4], [1], 0.05, 4, std)).toBe(0); // within 5 % of the width
    // [0, 10.4] now: 14.5 is 3.58 beyond max + 5 %, in units of 4σ = 8
    expect(updateRange(s, [14.5], [1], 0.05, 4, std)).toBeCloseTo(0.5 + (0.5 * 3.58) / 8, 9);
    expect(updateRange(s, [40], [1], 0.05, 4, std)).toBe(1); // more than 4σ beyond: capped
  });
});

describe('reservoir weights', () => {
  it('reach the requested spectral radius and obey Dale’s law', () => {
    const c = resolveConfig({ featureDim: 1, neurons: 200, recurrentDegree: 10, spectralRadius: 0.8 });
    const w = buildReservoir(c);
    expect(w.spectralRadius).toBeGreaterThan(0.7);
    expect(w.spectralRadius).toBeLessThan(0.9);
    expect(w.recurrentNonZeros).toBe(2000);
    const n = c.neurons;
    for (let i = 0; i < n; i++) {
      const row = w.recurrent.subarray(i * n, (i + 1) * n);
      expect(row[i]).toBe(0);
      const signs = new Set([...row].filter((x) => x !== 0).map(Math.sign));
      expect(signs.size).toBe(1);
    }
  });
});

describe('repeat channel', () => {
  it('flags an exact repeat of the weighted features in a stream that rarely repeats', () => {
    const s = initRepeatState(2);
    const w = [1, 0];
    expect(updateRepeat(s, [1, 0], w, 0.001)).toBe(false); // nothing to repeat yet
    for (let t = 0; t < 500; t++) expect(updateRepeat(s, [2 + t, 0], w, 0.001)).toBe(false);
    expect(updateRepeat(s, [501, 5], w, 0.001)).toBe(true); // feature 1 has no weight
    expect(updateRepeat(s, [501, 5], w, 0.001)).toBe(false); // 1 repeat in 502 steps: not below 1 per 1000
    expect(updateRepeat(s, [7, 5], w, 0.001)).toBe(false);
  });
});
