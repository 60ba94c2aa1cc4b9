import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProfiles, parseScoresCsv, parseTwoColumnCsv, type NabWindows } from './nab-corpus.js';
import { normalisedScore, prepareFile, probationaryRows, scoreFile } from './nab-scorer.js';
import {
  SIGMOID_AT_LEFT_EDGE,
  scaledSigmoid,
  windowPositionWeight,
  afterWindowWeight,
} from './nab-sigmoid.js';
import { optimiseThreshold } from './nab-sweep.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'nab');
const read = (p: string): string => readFileSync(path.join(fixtures, p), 'utf8');
const windows = JSON.parse(read('labels/combined_windows.json')) as NabWindows;
const profiles = parseProfiles(read('config/profiles.json'));

function reference(detector: string, name: string): { timestamps: string[]; values: Float64Array } {
  const [category, file] = name.split('/');
  return parseTwoColumnCsv(read(`results/${detector}/${category}/${detector}_${file}`), name);
}

describe('scaled sigmoid', () => {
  it('follows 2/(1+e^{5y}) − 1 and is −1 past y = 3', () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(0.986614298, 8);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.986614298, 8);
    expect(scaledSigmoid(2.999)).toBeGreaterThan(-1);
    expect(scaledSigmoid(3.0001)).toBe(-1);
    expect(SIGMOID_AT_LEFT_EDGE).toBe(scaledSigmoid(-1));
  });

  it('gives 1 at a window left edge, about 0.86 half way, about 0 at the right edge', () => {
    expect(windowPositionWeight(100, 100, 199)).toBeCloseTo(1, 12);
    expect(windowPositionWeight(150, 100, 199)).toBeCloseTo((2 / (1 + Math.exp(-2.5)) - 1) / 0.986614298, 6);
    expect(windowPositionWeight(199, 100, 199)).toBeCloseTo(scaledSigmoid(-0.01) / SIGMOID_AT_LEFT_EDGE, 12);
    expect(afterWindowWeight(200, 199, 100)).toBeCloseTo(scaledSigmoid(1 / 99), 12);
    expect(afterWindowWeight(298, 199, 100)).toBeCloseTo(-0.9866, 4);
  });
});

describe('windows and probation', () => {
  it('uses min(floor(0.15·N), 750) probationary rows', () => {
    expect(probationaryRows(1243)).toBe(186);
    expect(probationaryRows(4032)).toBe(604);
    expect(probationaryRows(22695)).toBe(750);
  });

  it('maps windows to rows, drops those starting in probation, weights rows outside', () => {
    const ts = Array.from({ length: 40 }, (_, i) => `2020-01-01 00:${String(i).padStart(2, '0')}:00`);
    const f = prepareFile('x.csv', ts, [
      ['2020-01-01 00:02:00.000000', '2020-01-01 00:04:00.000000'],
      ['2020-01-01 00:20:00.000000', '2020-01-01 00:29:00.000000'],
    ]);
    expect(f.probation).toBe(6);
    expect(f.windows).toEqual([{ left: 20, right: 29 }]);
    expect(f.rowWeight[10]).toBe(-1); // before the first scored window: full cost
    expect(f.rowWindow[20]).toBe(0);
    expect(f.rowWeight[20]).toBeCloseTo(1, 12);
    expect(f.rowWeight[30]).toBeCloseTo(scaledSigmoid(1 / 9), 12);
    const profile = { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 };
    const scores = new Float64Array(40);
    expect(scoreFile(f, scores, 0.5, profile).score).toBe(-1);
    scores[25] = 1;
    scores[27] = 1; // later detections in the same window add nothing
    scores[10] = 1;
    const s = scoreFile(f, scores, 0.5, profile);
    expect(s.score).toBeCloseTo(windowPositionWeight(25, 20, 29) - 0.11, 12);
    expect([s.tp, s.fp, s.fn, s.tn]).toEqual([2, 1, 8, 23]);
  });
});

describe('scorer against the published NAB results (vendored fixtures)', () => {
  for (const detector of ['numenta', 'relativeEntropy']) {
    for (const profileName of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) {
      it(`${detector} / ${profileName}: per-file raw scores and row counts`, () => {
        const profile = profiles[profileName]!;
        const rows = parseScoresCsv(read(`results/${detector}/${detector}_${profileName}_scores.csv`));
        expect(rows).toHaveLength(5);
        for (const row of rows) {
          const ref = reference(detector, row.file);
          const file = prepareFile(row.file, ref.timestamps, windows[row.file] ?? []);
          const s = scoreFile(file, ref.values, row.threshold, profile);
          expect(s.score, row.file).toBeCloseTo(row.score, 9);
          expect([s.tp, s.tn, s.fp, s.fn], row.file).toEqual([row.tp, row.tn, row.fp, row.fn]);
          expect(file.rows).toBe(row.total);
        }
      });
    }
  }

  it('the sweep never does worse than the published threshold on the same files', () => {
    const profile = profiles['standard']!;
    const rows = parseScoresCsv(read('results/numenta/numenta_standard_scores.csv'));
    const corpus = rows.map((row) => {
      const ref = reference('numenta', row.file);
      return { file: prepareFile(row.file, ref.timestamps, windows[row.file] ?? []), scores: ref.values };
    });
    const published = rows.reduce((a, r) => a + r.score, 0);
    const swept = optimiseThreshold(corpus, profile);
    expect(swept.rawScore).toBeGreaterThanOrEqual(published - 1e-9);
    const atThreshold = corpus.reduce(
      (a, e) => a + scoreFile(e.file, e.scores, swept.threshold, profile).score,
      0,
    );
    expect(atThreshold).toBeCloseTo(swept.rawScore, 9);
    expect(normalisedScore(-swept.windows, swept.windows, profile)).toBe(0);
    expect(normalisedScore(swept.windows, swept.windows, profile)).toBe(100);
  });
});
