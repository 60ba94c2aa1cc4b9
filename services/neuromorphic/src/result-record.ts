/**
 * A detector result as the NeuromorphicResult record on simstream.neuromorphic.results.v1,
 * keyed by simulation id (so a simulation's results stay in order in one partition).
 */
import { RecordName, type Frame, type NeuromorphicResult, type SchemaRegistry } from '@simstream/contracts';
import type { OutRecord } from '@simstream/kafka';
import type { StreamResult } from '@simstream/neuro';
import type { StreamDetector } from './detector-bank.js';
import type { FrameFeatures } from '@simstream/neuro';

export interface ResultInput {
  readonly frame: Frame;
  readonly features: FrameFeatures;
  readonly result: StreamResult;
  readonly detector: StreamDetector;
  readonly processingMs: number;
  readonly producedAt: number;
}

export function neuromorphicResult(input: ResultInput): NeuromorphicResult {
  const { frame, features, result, detector } = input;
  return {
    simulationId: frame.simulationId,
    step: frame.step,
    simTime: frame.simTime,
    anomalyScore: result.anomalyScore,
    rawScore: result.rawScore,
    featureNames: [...features.layout.names],
    features: Array.from(features.values),
    prediction: Array.from(result.prediction),
    spikeRate: result.spikeRate,
    patternId: Math.round(result.patternId),
    novelty: result.novelty,
    processingMs: input.processingMs,
    backend: detector.backend.name,
    model: detector.configHash,
    producedAt: input.producedAt,
  };
}

export function resultRecord(registry: SchemaRegistry, topic: string, result: NeuromorphicResult): OutRecord {
  return {
    topic,
    key: result.simulationId,
    value: registry.encode(RecordName.NeuromorphicResult, result),
  };
}
