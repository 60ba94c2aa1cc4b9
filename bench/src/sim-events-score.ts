/**
 * How `bench sim-events` turns score series into figures, the same way for every detector:
 *
 * - **Alarms**: a frame alarms when its score reaches the threshold, no earlier frame of the run
 *   alarmed within `refractory` frames, and it is past the probation period (the spiking
 *   detector's own refractory and probation, applied to every detector alike).
 * - **Threshold rule** (one per detector, never per class): the lowest threshold at which the
 *   quiet frames of the tuning runs raise at most `budgetPer10k` false alarms per 10,000. It uses
 *   only which frames are quiet, never the events; the held-out seeds then show whether it holds.
 * - **Windows**, the NAB way (libs/neuro's scorer): one window per event, NAB's length (10 % of
 *   the run divided by the number of windows), starting at the onset, since a simulation's event
 *   has a known first frame (NAB centres its windows on a labelled point instead); NAB's
 *   probationary 15 % is not scored. An event is found when an alarm falls in its window; its
 *   delay is the first such alarm's frame minus the onset.
 * - **Quiet frames**: every frame after probation of a quiet control, and of an event run every
 *   frame before its onset. False alarms per 10,000 quiet frames are counted there.
 */
import { type NabProfile, normalisedScore, prepareRows, scoreFile } from '@simstream/neuro';
import type { Run, RunClass } from './sim-events-runs.js';

/** NAB's standard profile (config/profiles.json). */
export const NAB_STANDARD: NabProfile = { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 };

export interface Protocol {
  readonly probation: number;
  readonly refractory: number;
  readonly budgetPer10k: number;
}

export function alarmFrames(scores: ArrayLike<number>, threshold: number, p: Protocol): number[] {
  const out: number[] = [];
  let last = -Infinity;
  for (let t = p.probation; t < scores.length; t++) {
    if ((scores[t] ?? 0) >= threshold && t - last > p.refractory) {
      out.push(t);
      last = t;
    }
  }
  return out;
}

export function eventWindow(run: Run): { left: number; right: number } | undefined {
  if (run.onset === undefined) return undefined;
  const length = Math.floor(0.1 * run.features.length);
  return { left: run.onset, right: Math.min(run.features.length - 1, run.onset + length - 1) };
}

function quietRange(run: Run, p: Protocol): [number, number] {
  return [p.probation, run.onset ?? run.features.length];
}

function quietAlarms(alarms: readonly number[], run: Run, p: Protocol): number {
  const [from, to] = quietRange(run, p);
  return alarms.filter((t) => t >= from && t < to).length;
}

function quietFrames(run: Run, p: Protocol): number {
  const [from, to] = quietRange(run, p);
  return Math.max(0, to - from);
}

/** The threshold rule (see the header) on the runs it may look at. */
export function chooseThreshold(runs: readonly Run[], scores: readonly Float64Array[], p: Protocol): number {
  const frames = runs.reduce((n, r) => n + quietFrames(r, p), 0);
  const budget = Math.floor((p.budgetPer10k * frames) / 10_000);
  const candidates = new Set<number>();
  runs.forEach((r, i) => {
    const [from, to] = quietRange(r, p);
    for (let t = from; t < to; t++) candidates.add(scores[i]![t]!);
  });
  const sorted = [...candidates].sort((a, b) => a - b);
  const count = (threshold: number): number =>
    runs.reduce((n, r, i) => n + quietAlarms(alarmFrames(scores[i]!, threshold, p), r, p), 0);
  // Alarms only fall as the threshold rises (up to refractory effects): bisect the candidates.
  let lo = 0;
  let hi = sorted.length; // sorted.length stands for "above every quiet score"
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (count(sorted[mid]!) <= budget) hi = mid;
    else lo = mid + 1;
  }
  if (lo < sorted.length) return sorted[lo]!;
  const top = sorted.at(-1) ?? 0;
  return top + Math.max(1e-9, Math.abs(top) * 1e-9);
}

const percentile = (sorted: readonly number[], q: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

export interface ClassFigures {
  readonly runs: number;
  readonly found: number;
  readonly missed: number;
  readonly delayMedian: number | null;
  readonly delayP90: number | null;
  /** NAB standard profile, normalised (null = 0, perfect = 100), over this class's runs. */
  readonly nab: number | null;
  readonly falseAlarms: number;
  readonly quietFrames: number;
  readonly falseAlarmsPer10k: number | null;
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

function figures(runs: readonly Run[], alarms: readonly number[][], p: Protocol): ClassFigures {
  const delays: number[] = [];
  let found = 0;
  let events = 0;
  let falseAlarms = 0;
  let quiet = 0;
  let raw = 0;
  runs.forEach((run, i) => {
    const a = alarms[i]!;
    const w = eventWindow(run);
    if (w !== undefined) {
      events++;
      const hit = a.find((t) => t >= w.left && t <= w.right);
      if (hit !== undefined) {
        found++;
        delays.push(hit - w.left);
      }
    }
    falseAlarms += quietAlarms(a, run, p);
    quiet += quietFrames(run, p);
    const file = prepareRows(run.id, run.features.length, w === undefined ? [] : [w]);
    const indicator = new Float64Array(run.features.length);
    for (const t of a) indicator[t] = 1;
    raw += scoreFile(file, indicator, 0.5, NAB_STANDARD).score;
  });
  delays.sort((x, y) => x - y);
  return {
    runs: runs.length,
    found,
    missed: events - found,
    delayMedian: percentile(delays, 0.5),
    delayP90: percentile(delays, 0.9),
    nab: events > 0 ? round(normalisedScore(raw, events, NAB_STANDARD)) : null,
    falseAlarms,
    quietFrames: quiet,
    falseAlarmsPer10k: quiet > 0 ? round((falseAlarms * 10_000) / quiet) : null,
  };
}

export interface Evaluation {
  readonly threshold: number;
  readonly overall: ClassFigures;
  readonly classes: Partial<Record<RunClass, ClassFigures>>;
}

export function evaluate(
  runs: readonly Run[],
  scores: readonly Float64Array[],
  threshold: number,
  p: Protocol,
): Evaluation {
  const alarms = scores.map((s) => alarmFrames(s, threshold, p));
  const classes: Partial<Record<RunClass, ClassFigures>> = {};
  for (const cls of new Set(runs.map((r) => r.cls))) {
    const idx = runs.flatMap((r, i) => (r.cls === cls ? [i] : []));
    classes[cls] = figures(
      idx.map((i) => runs[i]!),
      idx.map((i) => alarms[i]!),
      p,
    );
  }
  return { threshold, overall: figures(runs, alarms, p), classes };
}
