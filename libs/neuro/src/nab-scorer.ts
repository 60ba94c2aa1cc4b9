/**
 * NAB scoring, written from the rules in NAB's README (not from NAB's code): per-row weights of a
 * file from its anomaly windows and probationary period, the score of a file at one threshold
 * with its TP/TN/FP/FN row counts, and normalisation against the null and perfect detectors.
 */
import { afterWindowWeight, windowPositionWeight } from './nab-sigmoid.js';

export interface NabProfile {
  readonly tpWeight: number;
  readonly fnWeight: number;
  readonly fpWeight: number;
}

/** Rows of a window, inclusive, in file row order. */
export interface RowWindow {
  readonly left: number;
  readonly right: number;
}

/** A file ready to score: which rows count, which window each falls in, and its sigmoid weight. */
export interface PreparedFile {
  readonly name: string;
  readonly rows: number;
  readonly probation: number;
  readonly windows: readonly RowWindow[];
  /** Window index of each row, or −1 outside every window. */
  readonly rowWindow: Int32Array;
  /** In a window: the TP weight in (0, 1]; outside: the FP weight in [−1, 0]. */
  readonly rowWeight: Float64Array;
}

export interface FileScore {
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly detectedWindows: number;
}

/** The first `min(floor(0.15·N), 750)` rows are the detector's to learn from and are not scored. */
export function probationaryRows(rows: number, fraction = 0.15): number {
  return Math.min(Math.floor(fraction * rows), Math.floor(fraction * 5000));
}

/** Strips the `.000000` suffix NAB's label files put on timestamps. */
function plainTimestamp(t: string): string {
  const dot = t.indexOf('.');
  return dot < 0 ? t : t.slice(0, dot);
}

/** Row index of a window bound: the first row with that timestamp, else the first row after it. */
function rowOf(timestamps: readonly string[], bound: string): number {
  const exact = timestamps.indexOf(bound);
  if (exact >= 0) return exact;
  const later = timestamps.findIndex((t) => t > bound);
  return later < 0 ? timestamps.length - 1 : later;
}

/**
 * Maps timestamp windows onto rows and computes every row's weight. Windows that start inside
 * the probationary period are dropped (NAB's label files already omit them).
 */
export function prepareFile(
  name: string,
  timestamps: readonly string[],
  windows: readonly (readonly [string, string])[],
): PreparedFile {
  const rows = timestamps.length;
  const rowWindows: RowWindow[] = [];
  for (const [start, end] of windows) {
    const left = rowOf(timestamps, plainTimestamp(start));
    const right = rowOf(timestamps, plainTimestamp(end));
    rowWindows.push({ left, right });
  }
  return prepareRows(name, rows, rowWindows);
}

/**
 * The same from windows given as rows (e.g. labelled events of a generated run); windows that
 * start inside the probationary period are dropped, as NAB's rules say.
 */
export function prepareRows(name: string, rows: number, windows: readonly RowWindow[]): PreparedFile {
  const probation = probationaryRows(rows);
  const rowWindows = windows.filter((w) => w.left >= probation && w.right >= w.left);
  rowWindows.sort((a, b) => a.left - b.left);

  const rowWindow = new Int32Array(rows).fill(-1);
  const rowWeight = new Float64Array(rows);
  let next = 0;
  let prev: RowWindow | undefined;
  for (let i = 0; i < rows; i++) {
    let w = rowWindows[next];
    while (w !== undefined && i > w.right) {
      prev = w;
      w = rowWindows[++next];
    }
    if (w !== undefined && i >= w.left) {
      rowWindow[i] = next;
      rowWeight[i] = windowPositionWeight(i, w.left, w.right);
    } else {
      rowWeight[i] = prev === undefined ? -1 : afterWindowWeight(i, prev.right, prev.right - prev.left + 1);
    }
  }
  return { name, rows, probation, windows: rowWindows, rowWindow, rowWeight };
}

/** Score of one file's detector output at `threshold` (a row detects when its score ≥ threshold). */
export function scoreFile(
  file: PreparedFile,
  scores: ArrayLike<number>,
  threshold: number,
  profile: NabProfile,
): FileScore {
  const best = new Float64Array(file.windows.length).fill(Number.NaN);
  let fpSum = 0;
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = file.probation; i < file.rows; i++) {
    const detected = (scores[i] ?? 0) >= threshold;
    const w = file.rowWindow[i] ?? -1;
    const weight = file.rowWeight[i] ?? 0;
    if (w >= 0) {
      if (detected) {
        tp++;
        const b = best[w] ?? Number.NaN;
        if (Number.isNaN(b) || weight > b) best[w] = weight;
      } else fn++;
    } else if (detected) {
      fp++;
      fpSum += profile.fpWeight * weight;
    } else tn++;
  }
  let score = fpSum;
  let detectedWindows = 0;
  for (const b of best) {
    if (Number.isNaN(b)) score -= profile.fnWeight;
    else {
      score += profile.tpWeight * b;
      detectedWindows++;
    }
  }
  return { score, tp, tn, fp, fn, detectedWindows };
}

/** Raw score of the perfect detector (fires at every window's left edge, nowhere else). */
export function perfectScore(windowCount: number, profile: NabProfile): number {
  return profile.tpWeight * windowCount;
}

/** Raw score of the null detector (never fires: every window is a miss). */
export function nullScore(windowCount: number, profile: NabProfile): number {
  return -profile.fnWeight * windowCount;
}

/** `100·(S − S_null)/(S_perfect − S_null)`: 0 for the null detector, 100 for the perfect one. */
export function normalisedScore(raw: number, windowCount: number, profile: NabProfile): number {
  const lo = nullScore(windowCount, profile);
  const hi = perfectScore(windowCount, profile);
  return (100 * (raw - lo)) / (hi - lo);
}
