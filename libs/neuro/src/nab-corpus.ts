/**
 * Reading NAB's layout from disk: the series (`data/<category>/<file>.csv`), the windows
 * (`labels/combined_windows.json`), the profiles (`config/profiles.json`), and reference detector
 * outputs (`results/<detector>/<category>/<detector>_<file>.csv`). Parsing is separate from I/O
 * so that tests can feed text directly.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { SimstreamError } from '@simstream/errors';
import type { NabProfile } from './nab-scorer.js';

export type NabWindows = Readonly<Record<string, readonly (readonly [string, string])[]>>;

export interface NabSeries {
  /** `<category>/<file>.csv`, the key NAB uses everywhere. */
  readonly name: string;
  readonly timestamps: string[];
  readonly values: Float64Array;
}

export class NabCorpusError extends SimstreamError {
  constructor(message: string, cause?: unknown) {
    super('NAB_CORPUS_INVALID', message, { cause });
  }
}

/** Parses a two-column NAB CSV (`timestamp,<number>` with a header) into timestamps and numbers. */
export function parseTwoColumnCsv(
  text: string,
  name: string,
): { timestamps: string[]; values: Float64Array } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const timestamps: string[] = [];
  const values = new Float64Array(Math.max(lines.length - 1, 0));
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const comma = line.indexOf(',');
    const v = Number(line.slice(comma + 1));
    if (comma < 0 || !Number.isFinite(v))
      throw new NabCorpusError(`${name}: line ${i + 1} is not 'timestamp,number'`);
    timestamps.push(line.slice(0, comma));
    values[i - 1] = v;
  }
  return { timestamps, values };
}

/** Parses `profiles.json` into the three cost matrices. */
export function parseProfiles(text: string): Record<string, NabProfile> {
  const raw = JSON.parse(text) as Record<
    string,
    { CostMatrix: { tpWeight: number; fnWeight: number; fpWeight: number } }
  >;
  const out: Record<string, NabProfile> = {};
  for (const [name, { CostMatrix: c }] of Object.entries(raw)) {
    out[name] = { tpWeight: c.tpWeight, fnWeight: c.fnWeight, fpWeight: c.fpWeight };
  }
  return out;
}

export interface ScoresCsvRow {
  readonly file: string;
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly total: number;
}

/** Parses NAB's `<detector>_<profile>_scores.csv` (the `Totals` row has file `Totals`). */
export function parseScoresCsv(text: string): ScoresCsvRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  return lines.slice(1).map((line) => {
    const c = line.split(',');
    return {
      file: c[0] === 'Totals' ? 'Totals' : (c[2] ?? ''),
      threshold: Number(c[3]),
      score: Number(c[4]),
      tp: Number(c[5]),
      tn: Number(c[6]),
      fp: Number(c[7]),
      fn: Number(c[8]),
      total: Number(c[9]),
    };
  });
}

/** A NAB directory on disk. */
export class NabCorpus {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
    if (
      !existsSync(path.join(root, 'data')) ||
      !existsSync(path.join(root, 'labels', 'combined_windows.json'))
    ) {
      throw new NabCorpusError(
        `no NAB corpus at ${root} (expected data/ and labels/combined_windows.json); set SIMSTREAM_NAB_DIR`,
      );
    }
  }

  /** Every series name, `<category>/<file>.csv`, sorted. */
  seriesNames(): string[] {
    const dataDir = path.join(this.root, 'data');
    const names: string[] = [];
    for (const category of readdirSync(dataDir, { withFileTypes: true })) {
      if (!category.isDirectory()) continue;
      for (const f of readdirSync(path.join(dataDir, category.name))) {
        if (f.endsWith('.csv')) names.push(`${category.name}/${f}`);
      }
    }
    return names.sort();
  }

  series(name: string): NabSeries {
    const text = readFileSync(path.join(this.root, 'data', name), 'utf8');
    return { name, ...parseTwoColumnCsv(text, name) };
  }

  windows(): NabWindows {
    return JSON.parse(
      readFileSync(path.join(this.root, 'labels', 'combined_windows.json'), 'utf8'),
    ) as NabWindows;
  }

  profiles(): Record<string, NabProfile> {
    return parseProfiles(readFileSync(path.join(this.root, 'config', 'profiles.json'), 'utf8'));
  }

  /** Per-row scores a reference detector published for a series. */
  referenceScores(detector: string, name: string): Float64Array {
    const [category, file] = name.split('/');
    const p = path.join(this.root, 'results', detector, category ?? '', `${detector}_${file ?? ''}`);
    return parseTwoColumnCsv(readFileSync(p, 'utf8'), p).values;
  }

  referenceScoresCsv(detector: string, profile: string): ScoresCsvRow[] {
    const p = path.join(this.root, 'results', detector, `${detector}_${profile}_scores.csv`);
    return parseScoresCsv(readFileSync(p, 'utf8'));
  }

  finalResults(): Record<string, Record<string, number>> {
    const p = path.join(this.root, 'results', 'final_results.json');
    return JSON.parse(readFileSync(p, 'utf8')) as Record<string, Record<string, number>>;
  }
}
