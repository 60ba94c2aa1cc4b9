/**
 * One consumed batch as the writes it needs: rows deduplicated by identity (the last record
 * wins, as it would by writing them in order; for jobs the first, as a job completes once),
 * and what each simulation's row must learn
 * (tenant, kind, attributes, step and time bounds). Pure.
 */
import type { FrameRow, JobUpdate, ResultRow } from './rows.js';

export interface SimulationTouch {
  readonly simulationId: string;
  /** '' when only results were seen: such a simulation stays invisible until its frames come. */
  readonly tenant: string;
  readonly kind: string | undefined;
  readonly attributes: Record<string, string> | undefined;
  readonly firstStep: number | undefined;
  readonly lastStep: number | undefined;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

export interface MaterializePlan {
  readonly frames: readonly FrameRow[];
  readonly results: readonly ResultRow[];
  readonly jobs: readonly JobUpdate[];
  /** Sorted by id: rows are locked in this order, so concurrent batches cannot deadlock. */
  readonly simulations: readonly SimulationTouch[];
}

interface Touch {
  simulationId: string;
  tenant: string;
  kind: string | undefined;
  attributes: Record<string, string> | undefined;
  attributesStep: number;
  firstStep: number | undefined;
  lastStep: number | undefined;
  firstSeenMs: number;
  lastSeenMs: number;
}

function lastById<T>(rows: readonly T[], id: (row: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const row of rows) {
    const key = id(row);
    byId.delete(key); // re-insert: keeps the order of last occurrence
    byId.set(key, row);
  }
  return [...byId.values()];
}

function firstById<T>(rows: readonly T[], id: (row: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const row of rows) if (!byId.has(id(row))) byId.set(id(row), row);
  return [...byId.values()];
}

export function planBatch(
  frameRows: readonly FrameRow[],
  resultRows: readonly ResultRow[],
  jobUpdates: readonly JobUpdate[],
): MaterializePlan {
  const frames = lastById(frameRows, (f) => `${f.simulationId}\u0000${f.step}`);
  const results = lastById(resultRows, (r) => `${r.simulationId}\u0000${r.kind}\u0000${r.step}`);
  // A job completes once: the first result wins, within a batch as across batches (COALESCE).
  const jobs = firstById(jobUpdates, (j) => j.jobId);

  const touches = new Map<string, Touch>();
  const touch = (simulationId: string, atMs: number): Touch => {
    let t = touches.get(simulationId);
    if (t === undefined) {
      t = {
        simulationId,
        tenant: '',
        kind: undefined,
        attributes: undefined,
        attributesStep: -1,
        firstStep: undefined,
        lastStep: undefined,
        firstSeenMs: atMs,
        lastSeenMs: atMs,
      };
      touches.set(simulationId, t);
    }
    t.firstSeenMs = Math.min(t.firstSeenMs, atMs);
    t.lastSeenMs = Math.max(t.lastSeenMs, atMs);
    return t;
  };
  for (const f of frames) {
    const t = touch(f.simulationId, f.ingestedAtMs);
    if (t.tenant === '') t.tenant = f.tenant;
    t.firstStep = Math.min(t.firstStep ?? f.step, f.step);
    t.lastStep = Math.max(t.lastStep ?? f.step, f.step);
    if (f.step > t.attributesStep) {
      t.attributesStep = f.step;
      t.attributes = f.attributes;
      t.kind = f.attributes.kind ?? t.kind;
    }
  }
  for (const r of results) touch(r.simulationId, r.producedAtMs);

  const simulations = [...touches.values()]
    .sort((a, b) => (a.simulationId < b.simulationId ? -1 : a.simulationId > b.simulationId ? 1 : 0))
    .map(({ attributesStep: _, ...rest }) => rest);
  return { frames, results, jobs, simulations };
}
