/**
 * TypeScript shapes of our Avro records, as avsc reads and writes them (long → number,
 * bytes → Buffer, timestamp-millis → epoch milliseconds).
 */
import type { Codec, DType } from './dtype.js';

export interface FrameField {
  name: string;
  dtype: DType;
  shape: number[];
  codec: Codec;
  data: Buffer;
}

export interface Frame {
  frameId: string;
  simulationId: string;
  step: number;
  simTime: number;
  fields: FrameField[];
  attributes: Record<string, string>;
  ingestedAt: number;
  /** Owner of the simulation (v2; frames written by v1 read as 'default'). */
  tenant: string;
}

export interface FrameChunk {
  frameId: string;
  simulationId: string;
  step: number;
  index: number;
  count: number;
  totalBytes: number;
  crc32: number;
  data: Buffer;
}

export interface Progress {
  simulationId: string;
  lastDurableStep: number;
  frameId: string;
  serverId: string;
  updatedAt: number;
}

export interface NeuromorphicResult {
  simulationId: string;
  step: number;
  simTime: number;
  anomalyScore: number;
  rawScore: number;
  featureNames: string[];
  features: number[];
  prediction: number[];
  spikeRate: number;
  patternId: number;
  novelty: number;
  processingMs: number;
  backend: string;
  model: string;
  producedAt: number;
}

export type ProblemKind = 'ising' | 'qubo' | 'maxcut' | 'partition';
export type StopReason = 'completed' | 'time_limit' | 'target' | 'cancelled';

export interface QuantumResult {
  source: 'frame' | 'job';
  simulationId: string | null;
  step: number | null;
  /** Frame-derived results: first step of the K-step bucket (identity downstream). */
  bucketStep: number | null;
  jobId: string | null;
  problemKind: ProblemKind;
  problemHash: string;
  variables: number;
  solver: string;
  backend: string;
  energy: number;
  cut: number | null;
  imbalance: number | null;
  solution: Buffer;
  reads: number;
  sweeps: number;
  timeToBestMs: number;
  totalMs: number;
  stoppedBy: StopReason;
  cached: boolean;
  producedAt: number;
}

export interface QuantumJob {
  jobId: string;
  tenant: string;
  problemKind: 'ising' | 'qubo' | 'maxcut';
  variables: number;
  /** float64 LE per variable (empty for maxcut). */
  linear: Buffer;
  /** uint32 LE. */
  rows: Buffer;
  cols: Buffer;
  /** float64 LE. */
  values: Buffer;
  offset: number;
  solver: string;
  seed: number;
  timeLimitMs: number;
  reads: number;
  targetEnergy: number | null;
  submittedAt: number;
}
