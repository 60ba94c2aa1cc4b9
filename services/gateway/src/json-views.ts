/**
 * Protobuf answers of the downstream services as the public JSON of the REST API (snake_case,
 * times as ISO 8601, enums as short lower-case names, int8 solutions as arrays of numbers).
 */
import type { pb } from '@simstream/contracts';

export const RESULT_KINDS = ['neuromorphic', 'quantum', 'frame'] as const;
export type ResultKindName = (typeof RESULT_KINDS)[number];

export function resultKindToProto(kind: ResultKindName): pb.ResultKind {
  return `RESULT_KIND_${kind.toUpperCase()}` as pb.ResultKind;
}

function kindName(kind: string): string {
  return kind.replace(/^RESULT_KIND_/, '').toLowerCase();
}

function iso(ms: number): string | null {
  return ms > 0 ? new Date(ms).toISOString() : null;
}

export function simulationView(s: pb.Simulation__Output) {
  return {
    simulation_id: s.simulationId,
    tenant: s.tenant,
    kind: s.kind,
    attributes: s.attributes,
    frames: s.frames,
    first_step: s.firstStep,
    last_step: s.lastStep,
    first_seen: iso(s.firstSeenMs),
    last_seen: iso(s.lastSeenMs),
    neuromorphic_results: s.neuromorphicResults,
    quantum_results: s.quantumResults,
    last_anomaly_score: s.lastAnomalyScore ?? null,
  };
}

function int8s(bytes: Buffer): number[] {
  return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

export function solveResultView(r: pb.SolveResult__Output) {
  return {
    energy: r.energy,
    solution: int8s(r.solution),
    cut: r.cut ?? null,
    reads: r.reads,
    sweeps: r.sweeps,
    time_to_best_ms: r.timeToBestMs,
    total_ms: r.totalMs,
    solver: r.solver,
    backend: r.backend,
    stopped_by: r.stoppedBy,
    problem_hash: r.problemHash,
    cached: r.cached,
  };
}

export function resultView(r: pb.Result__Output) {
  const base = {
    simulation_id: r.simulationId,
    step: r.step,
    kind: kindName(r.kind),
    sim_time: r.simTime,
    produced_at: iso(r.producedAtMs),
    score: r.score,
  };
  if (r.neuromorphic != null) {
    const n = r.neuromorphic;
    return {
      ...base,
      neuromorphic: {
        anomaly_score: n.anomalyScore,
        raw_score: n.rawScore,
        feature_names: n.featureNames,
        features: n.features,
        prediction: n.prediction,
        spike_rate: n.spikeRate,
        pattern_id: n.patternId,
        novelty: n.novelty,
        processing_ms: n.processingMs,
        backend: n.backend,
        model: n.model,
      },
    };
  }
  if (r.quantum != null) {
    const q = r.quantum;
    return {
      ...base,
      quantum: {
        problem_kind: q.problemKind,
        problem_hash: q.problemHash,
        variables: q.variables,
        solver: q.solver,
        backend: q.backend,
        energy: q.energy,
        cut: q.cut ?? null,
        imbalance: q.imbalance ?? null,
        solution: int8s(q.solution),
        reads: q.reads,
        sweeps: q.sweeps,
        time_to_best_ms: q.timeToBestMs,
        total_ms: q.totalMs,
        stopped_by: q.stoppedBy,
        cached: q.cached,
      },
    };
  }
  if (r.frame != null) {
    const f = r.frame;
    return {
      ...base,
      frame: {
        frame_id: f.frameId,
        bytes: f.bytes,
        partition: f.partition,
        offset: f.offset,
        fields: f.fields.map((x) => ({
          name: x.name,
          dtype: x.dtype,
          shape: x.shape,
          codec: x.codec,
          bytes: x.bytes,
          min: x.min,
          max: x.max,
          mean: x.mean,
          std: x.std,
          l2: x.l2,
        })),
      },
    };
  }
  return base;
}

const JOB_STATUS = (s: string) => s.replace(/^JOB_STATUS_/, '').toLowerCase();

export function jobView(j: pb.Job__Output) {
  return {
    job_id: j.jobId,
    status: JOB_STATUS(j.status),
    variables: j.variables,
    submitted_at: iso(j.submittedAtMs),
    started_at: iso(j.startedAtMs),
    finished_at: iso(j.finishedAtMs),
    result: j.result == null ? null : solveResultView(j.result),
    error: j.error === '' ? null : j.error,
  };
}
