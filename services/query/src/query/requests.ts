/**
 * Validation of Query requests (every problem at once, as field violations) and the opaque
 * page tokens: base64url JSON of where the last page ended plus a hash of the request's
 * filter, so a token cannot be replayed against another query. Pure.
 */
import { createHash } from 'node:crypto';
import { SIMULATION_ID_PATTERN, TENANT_PATTERN, type pb } from '@simstream/contracts';
import { ValidationError, type FieldViolation } from '@simstream/errors';
import type { QueryKind, ResultFilter } from './store.js';

export const DEFAULT_SIMULATIONS_PAGE = 50;
export const MAX_SIMULATIONS_PAGE = 500;
export const DEFAULT_RESULTS_PAGE = 100;
export const MAX_RESULTS_PAGE = 1000;

const KINDS: Readonly<Record<string, QueryKind>> = {
  RESULT_KIND_NEUROMORPHIC: 'neuromorphic',
  RESULT_KIND_QUANTUM: 'quantum',
  RESULT_KIND_FRAME: 'frame',
};

export const PROTO_KIND: Readonly<Record<QueryKind, pb.ResultKind__Output>> = {
  neuromorphic: 'RESULT_KIND_NEUROMORPHIC',
  quantum: 'RESULT_KIND_QUANTUM',
  frame: 'RESULT_KIND_FRAME',
};

class Violations {
  readonly list: FieldViolation[] = [];
  add(field: string, reason: string, description: string): void {
    this.list.push({ field, reason, description });
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.list);
  }
}

function checkTenant(v: Violations, tenant: string): void {
  if (!TENANT_PATTERN.test(tenant))
    v.add('tenant', 'TENANT_INVALID', `'${tenant.slice(0, 70)}' does not match ${TENANT_PATTERN.source}`);
}

function checkSimulation(v: Violations, id: string): void {
  if (!SIMULATION_ID_PATTERN.test(id))
    v.add(
      'simulation_id',
      'SIMULATION_ID_INVALID',
      `'${id.slice(0, 140)}' does not match ${SIMULATION_ID_PATTERN.source}`,
    );
}

function checkKind(v: Violations, kind: string): QueryKind {
  const k = KINDS[kind];
  if (k === undefined)
    v.add('kind', 'KIND_REQUIRED', 'a result kind (neuromorphic, quantum or frame) is required');
  return k ?? 'frame';
}

/**
 * Steps are stored as int8 but written from JS numbers, so every real step is a safe integer;
 * anything larger (a uint64 from another client, or 1e20 wrapped on the wire) would reach
 * Postgres and fail there as a server error. Times: the range a JS Date can hold.
 */
const MAX_STEP = Number.MAX_SAFE_INTEGER;
const MAX_TIME_MS = 8.64e15;

function checkBound(v: Violations, field: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < min || value > max)
    v.add(field, 'OUT_OF_RANGE', `must be between ${min} and ${max}`);
}

function checkSteps(v: Violations, from?: number, to?: number): void {
  checkBound(v, 'from_step', from, 0, MAX_STEP);
  checkBound(v, 'to_step', to, 0, MAX_STEP);
}

function checkRange(v: Violations, field: string, reason: string, from?: number, to?: number): void {
  if (from !== undefined && to !== undefined && from > to)
    v.add(field, reason, `the range ends (${to}) before it starts (${from})`);
}

const pageSize = (requested: number, fallback: number, max: number) =>
  requested === 0 ? fallback : Math.min(requested, max);

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16);
}

function encodeToken(after: string | number, filterHash: string): string {
  return Buffer.from(JSON.stringify({ a: after, h: filterHash })).toString('base64url');
}

function decodeToken<T extends string | number>(
  v: Violations,
  token: string,
  filterHash: string,
  type: 'string' | 'number',
): T | undefined {
  if (token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      a?: unknown;
      h?: unknown;
    };
    if (typeof parsed.a === type && parsed.h === filterHash) return parsed.a as T;
  } catch {
    // reported below
  }
  v.add('page_token', 'PAGE_TOKEN_INVALID', 'not a page token of this query (same filter, same page order)');
  return undefined;
}

export interface SimulationsQuery {
  readonly tenant: string;
  readonly pageSize: number;
  readonly after: string;
  next(lastId: string): string;
}

export function simulationsQuery(req: pb.ListSimulationsRequest__Output): SimulationsQuery {
  const v = new Violations();
  checkTenant(v, req.tenant);
  const filterHash = hash(['simulations', req.tenant]);
  const after = decodeToken<string>(v, req.pageToken, filterHash, 'string');
  v.throwIfAny();
  return {
    tenant: req.tenant,
    pageSize: pageSize(req.pageSize, DEFAULT_SIMULATIONS_PAGE, MAX_SIMULATIONS_PAGE),
    after: after ?? '',
    next: (lastId) => encodeToken(lastId, filterHash),
  };
}

export function simulationRequest(req: { tenant: string; simulationId: string }): void {
  const v = new Violations();
  checkTenant(v, req.tenant);
  checkSimulation(v, req.simulationId);
  v.throwIfAny();
}

export interface ResultsQuery {
  readonly tenant: string;
  readonly filter: ResultFilter;
  readonly pageSize: number;
  /** Last step of the previous page (-1: from the start). */
  readonly afterStep: number;
  /** Identifies the query for caching (tenant, filter, page). */
  readonly cacheKey: string;
  next(lastStep: number): string;
}

export function resultsQuery(req: pb.ListResultsRequest__Output): ResultsQuery {
  const v = new Violations();
  checkTenant(v, req.tenant);
  checkSimulation(v, req.simulationId);
  const kind = checkKind(v, req.kind);
  checkSteps(v, req.fromStep, req.toStep);
  checkBound(v, 'from_time_ms', req.fromTimeMs, -MAX_TIME_MS, MAX_TIME_MS);
  checkBound(v, 'to_time_ms', req.toTimeMs, -MAX_TIME_MS, MAX_TIME_MS);
  checkRange(v, 'to_step', 'STEP_RANGE_INVALID', req.fromStep, req.toStep);
  checkRange(v, 'to_time_ms', 'TIME_RANGE_INVALID', req.fromTimeMs, req.toTimeMs);
  const filter: ResultFilter = {
    simulationId: req.simulationId,
    kind,
    fromStep: req.fromStep,
    toStep: req.toStep,
    fromTimeMs: req.fromTimeMs,
    toTimeMs: req.toTimeMs,
  };
  const filterHash = hash(['results', req.tenant, filter]);
  const after = decodeToken<number>(v, req.pageToken, filterHash, 'number');
  v.throwIfAny();
  const size = pageSize(req.pageSize, DEFAULT_RESULTS_PAGE, MAX_RESULTS_PAGE);
  const afterStep = after ?? -1;
  return {
    tenant: req.tenant,
    filter,
    pageSize: size,
    afterStep,
    cacheKey: `${filterHash}:${afterStep}:${size}`,
    next: (lastStep) => encodeToken(lastStep, filterHash),
  };
}

export interface TailQuery {
  readonly tenant: string;
  readonly simulationId: string;
  readonly kind: QueryKind;
  readonly fromStep: number | undefined;
  readonly latestOnly: boolean;
}

export function tailQuery(req: pb.TailResultsRequest__Output): TailQuery {
  const v = new Violations();
  checkTenant(v, req.tenant);
  checkSimulation(v, req.simulationId);
  const kind = checkKind(v, req.kind);
  checkSteps(v, req.fromStep);
  v.throwIfAny();
  return {
    tenant: req.tenant,
    simulationId: req.simulationId,
    kind,
    fromStep: req.fromStep,
    latestOnly: req.latestOnly,
  };
}

export interface ExportQuery {
  readonly tenant: string;
  readonly filter: ResultFilter;
}

export function exportQuery(req: pb.ExportArrowRequest__Output): ExportQuery {
  const v = new Violations();
  checkTenant(v, req.tenant);
  checkSimulation(v, req.simulationId);
  const kind = checkKind(v, req.kind);
  checkSteps(v, req.fromStep, req.toStep);
  checkRange(v, 'to_step', 'STEP_RANGE_INVALID', req.fromStep, req.toStep);
  v.throwIfAny();
  return {
    tenant: req.tenant,
    filter: { simulationId: req.simulationId, kind, fromStep: req.fromStep, toStep: req.toStep },
  };
}
