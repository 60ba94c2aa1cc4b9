/**
 * Time series written to InfluxDB for each batch: per-field frame statistics, anomaly scores,
 * optimisation energies. Timestamps come from the records (ingestion or production time), never
 * from the clock, so rewriting a batch overwrites the same points. Pure.
 */
import type { Point } from '@simstream/storage';
import type { FrameRow, ResultRow } from './rows.js';

export const Measurement = {
  frameField: 'frame_field',
  anomaly: 'anomaly',
  quantum: 'quantum',
} as const;

const num = (x: unknown): number => (typeof x === 'number' ? x : NaN);

export function framePoints(frames: readonly FrameRow[]): Point[] {
  const points: Point[] = [];
  for (const f of frames) {
    for (const field of f.fields) {
      points.push({
        measurement: Measurement.frameField,
        tags: { simulation: f.simulationId, field: field.name },
        fields: {
          min: field.min ?? NaN,
          max: field.max ?? NaN,
          mean: field.mean ?? NaN,
          std: field.std ?? NaN,
          l2: field.l2 ?? NaN,
          step: { int: f.step },
        },
        timestampMs: f.ingestedAtMs,
        // Frames of a simulation within one millisecond stay distinct points.
        subMillisecondNs: f.step % 1_000_000,
      });
    }
  }
  return points;
}

export function resultPoints(results: readonly ResultRow[]): Point[] {
  return results.map((r): Point =>
    r.kind === 'neuromorphic'
      ? {
          measurement: Measurement.anomaly,
          tags: { simulation: r.simulationId },
          fields: {
            score: r.score,
            raw: num(r.payload.rawScore),
            spike_rate: num(r.payload.spikeRate),
            novelty: num(r.payload.novelty),
            pattern: { int: num(r.payload.patternId) },
            step: { int: r.step },
          },
          timestampMs: r.producedAtMs,
          subMillisecondNs: r.step % 1_000_000,
        }
      : {
          measurement: Measurement.quantum,
          tags: { simulation: r.simulationId },
          fields: {
            energy: r.score,
            cut: num(r.payload.cut),
            imbalance: num(r.payload.imbalance),
            total_ms: num(r.payload.totalMs),
            step: { int: r.step },
          },
          timestampMs: r.producedAtMs,
          subMillisecondNs: r.step % 1_000_000,
        },
  );
}
