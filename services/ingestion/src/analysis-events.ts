/**
 * What a stream that opted in is told about its simulation: AnalysisEvents derived from the
 * analysis results as query serves them (results.proto). Pure: a subscription is validated
 * once at open, then each result in step order goes in and zero or more events come out.
 *
 * Steps up to `emitAfter` are read only to learn the pattern the next result is compared with
 * (a stream resuming at since_step must still see a pattern change at since_step itself).
 */
import type { AnalysisEvent, AnalysisEventKindName, EventSubscriptionOutput, pb } from '@simstream/contracts';
import { ValidationError, type FieldViolation } from '@simstream/errors';

export const EventKind = {
  anomaly: 'ANALYSIS_EVENT_KIND_ANOMALY',
  patternChange: 'ANALYSIS_EVENT_KIND_PATTERN_CHANGE',
  quantumPartition: 'ANALYSIS_EVENT_KIND_QUANTUM_PARTITION',
} as const satisfies Record<string, AnalysisEventKindName>;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

const ALL_KINDS: readonly EventKind[] = Object.values(EventKind);

/** Metric label of a kind: anomaly, pattern_change, quantum_partition. */
export function kindLabel(kind: EventKind): string {
  return kind.slice('ANALYSIS_EVENT_KIND_'.length).toLowerCase();
}

export const DEFAULT_ANOMALY_THRESHOLD = 0.9;

export interface Subscription {
  readonly kinds: ReadonlySet<EventKind>;
  readonly anomalyThreshold: number;
  readonly sinceStep: number | undefined;
}

/** The subscription of an OpenStream, or INVALID_ARGUMENT naming what is wrong. */
export function subscriptionOf(events: EventSubscriptionOutput): Subscription {
  const violations: FieldViolation[] = [];
  const kinds = new Set<EventKind>();
  for (const [i, kind] of events.kinds.entries()) {
    if ((ALL_KINDS as readonly string[]).includes(kind)) kinds.add(kind as EventKind);
    else
      violations.push({
        field: `open.events.kinds[${i}]`,
        reason: 'EVENT_KIND_INVALID',
        description: `'${String(kind)}' is not one of ${ALL_KINDS.join(', ')}`,
      });
  }
  const threshold = events.anomalyThreshold ?? DEFAULT_ANOMALY_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1))
    violations.push({
      field: 'open.events.anomaly_threshold',
      reason: 'EVENT_THRESHOLD_INVALID',
      description: `${threshold} is not in [0, 1] (anomaly scores are)`,
    });
  if (violations.length > 0) throw new ValidationError(violations);
  return {
    kinds: kinds.size === 0 ? new Set(ALL_KINDS) : kinds,
    anomalyThreshold: threshold,
    sinceStep: events.sinceStep ?? undefined,
  };
}

/** Where a stream's follow of results starts, from its subscription and the durable step at open. */
export interface FollowStart {
  /** Events are derived for steps above this (-1: every step). */
  readonly emitAfter: number;
  /** First step to read of the neuromorphic results (one earlier than emitted: the baseline pattern). */
  readonly neuromorphicFrom: number;
  readonly quantumFrom: number;
}

export function followStart(subscription: Subscription, lastDurableStep: number | undefined): FollowStart {
  const emitAfter =
    subscription.sinceStep !== undefined ? subscription.sinceStep - 1 : (lastDurableStep ?? -1);
  return { emitAfter, neuromorphicFrom: Math.max(0, emitAfter), quantumFrom: emitAfter + 1 };
}

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x));

/** Derives one stream's events; keeps the last pattern seen. */
export class EventDeriver {
  private previousPattern: number | undefined;
  private lastNeuromorphicStep = -1;

  constructor(
    private readonly simulationId: string,
    private readonly subscription: Subscription,
    private readonly emitAfter: number,
  ) {}

  /** Anomaly and pattern-change events of one neuromorphic result (results come in step order). */
  neuromorphic(result: pb.Result__Output): AnalysisEvent[] {
    const out = result.neuromorphic;
    if (out == null || result.step <= this.lastNeuromorphicStep) return [];
    this.lastNeuromorphicStep = result.step;
    const previous = this.previousPattern;
    this.previousPattern = out.patternId;
    if (result.step <= this.emitAfter) return [];
    const { kinds, anomalyThreshold } = this.subscription;
    const detail = {
      anomalyScore: out.anomalyScore,
      rawScore: out.rawScore,
      patternId: out.patternId,
      ...(previous === undefined ? {} : { previousPatternId: previous }),
      novelty: out.novelty,
      threshold: anomalyThreshold,
    };
    const base = {
      simulationId: this.simulationId,
      step: result.step,
      producedAtMs: result.producedAtMs,
      neuromorphic: detail,
    };
    const events: AnalysisEvent[] = [];
    if (kinds.has(EventKind.anomaly) && out.anomalyScore >= anomalyThreshold)
      events.push({
        ...base,
        kind: EventKind.anomaly,
        score: out.anomalyScore,
        reason: `anomaly score ${fixed(out.anomalyScore)} >= ${fixed(anomalyThreshold)}`,
      });
    if (kinds.has(EventKind.patternChange) && previous !== undefined && previous !== out.patternId)
      events.push({
        ...base,
        kind: EventKind.patternChange,
        score: out.novelty,
        reason: `pattern ${previous} -> ${out.patternId} (novelty ${fixed(out.novelty)})`,
      });
    return events;
  }

  /** The partition event of one quantum result. */
  quantum(result: pb.Result__Output): AnalysisEvent[] {
    const out = result.quantum;
    if (
      out == null ||
      result.step <= this.emitAfter ||
      !this.subscription.kinds.has(EventKind.quantumPartition)
    )
      return [];
    const parts = [`energy ${fixed(out.energy)}`];
    if (out.cut != null) parts.push(`cut ${fixed(out.cut)}`);
    if (out.imbalance != null) parts.push(`imbalance ${fixed(out.imbalance)}`);
    return [
      {
        simulationId: this.simulationId,
        step: result.step,
        kind: EventKind.quantumPartition,
        score: out.energy,
        reason: `partition of ${out.variables} cells: ${parts.join(', ')}`,
        producedAtMs: result.producedAtMs,
        partition: {
          energy: out.energy,
          ...(out.cut == null ? {} : { cut: out.cut }),
          ...(out.imbalance == null ? {} : { imbalance: out.imbalance }),
          variables: out.variables,
          solver: out.solver,
          cached: out.cached,
        },
      },
    ];
  }
}
