/**
 * Stored rows as the protobuf messages of query.proto / results.proto. Rows may come from a
 * cache as JSON, where NaN became null: doubles read null back as NaN. Pure.
 */
import type { pb } from '@simstream/contracts';
import { PROTO_KIND } from './requests.js';
import type { QueryKind, ResultRecord, SimulationRecord } from './store.js';

const dbl = (x: unknown): number => (typeof x === 'number' ? x : NaN);
const int = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const floats = (x: unknown): number[] => (Array.isArray(x) ? x.map(dbl) : []);

export function toSimulation(s: SimulationRecord): pb.Simulation {
  return {
    simulationId: s.simulationId,
    tenant: s.tenant,
    kind: s.kind ?? '',
    attributes: s.attributes,
    frames: s.frames,
    firstStep: s.firstStep ?? 0,
    lastStep: s.lastStep ?? 0,
    firstSeenMs: s.firstSeenMs,
    lastSeenMs: s.lastSeenMs,
    neuromorphicResults: s.neuromorphicResults,
    quantumResults: s.quantumResults,
    ...(s.lastAnomalyScore === null ? {} : { lastAnomalyScore: s.lastAnomalyScore }),
  };
}

function neuromorphic(p: Record<string, unknown>): pb.NeuromorphicOutput {
  return {
    anomalyScore: dbl(p.anomalyScore),
    rawScore: dbl(p.rawScore),
    featureNames: Array.isArray(p.featureNames) ? p.featureNames.map(str) : [],
    features: floats(p.features),
    prediction: floats(p.prediction),
    spikeRate: dbl(p.spikeRate),
    patternId: int(p.patternId),
    novelty: dbl(p.novelty),
    processingMs: dbl(p.processingMs),
    backend: str(p.backend),
    model: str(p.model),
  };
}

function quantum(p: Record<string, unknown>): pb.QuantumOutput {
  return {
    problemKind: str(p.problemKind),
    problemHash: str(p.problemHash),
    variables: int(p.variables),
    solver: str(p.solver),
    backend: str(p.backend),
    energy: dbl(p.energy),
    ...(typeof p.cut === 'number' ? { cut: p.cut } : {}),
    ...(typeof p.imbalance === 'number' ? { imbalance: p.imbalance } : {}),
    solution: Buffer.from(str(p.solution), 'base64'),
    reads: int(p.reads),
    sweeps: int(p.sweeps),
    timeToBestMs: dbl(p.timeToBestMs),
    totalMs: dbl(p.totalMs),
    stoppedBy: str(p.stoppedBy),
    cached: p.cached === true,
  };
}

function frame(p: Record<string, unknown>): pb.FrameSummary {
  const fields = Array.isArray(p.fields) ? (p.fields as Record<string, unknown>[]) : [];
  return {
    frameId: str(p.frameId),
    bytes: int(p.bytes),
    partition: int(p.partition),
    offset: int(p.offset),
    fields: fields.map((f) => ({
      name: str(f.name),
      dtype: str(f.dtype),
      shape: Array.isArray(f.shape) ? f.shape.map(int) : [],
      codec: str(f.codec),
      bytes: int(f.bytes),
      min: dbl(f.min),
      max: dbl(f.max),
      mean: dbl(f.mean),
      std: dbl(f.std),
      l2: dbl(f.l2),
    })),
  };
}

export function toResult(simulationId: string, kind: QueryKind, r: ResultRecord): pb.Result {
  const base = {
    simulationId,
    step: r.step,
    kind: PROTO_KIND[kind],
    simTime: dbl(r.simTime),
    producedAtMs: r.producedAtMs,
    score: dbl(r.score),
  };
  if (kind === 'neuromorphic') return { ...base, neuromorphic: neuromorphic(r.payload) };
  if (kind === 'quantum') return { ...base, quantum: quantum(r.payload) };
  return { ...base, frame: frame(r.payload) };
}
