/**
 * A bank of independent streams sharing one spiking reservoir. `step` advances any subset of
 * streams together: their states sit in [B, …] tensors, so the whole batch is one pass of tensor
 * ops. While consecutive steps use the same streams in the same order the state stays in the
 * tensors; when the batch changes, states go back to the host and the new batch is gathered.
 */
import { type BackendInfo, currentBackend, initCompute, tf } from '@simstream/compute';
import {
  type DetectorConfig,
  type DetectorOptions,
  configHash,
  errorWeights,
  memberSeed,
  resolveConfig,
} from './config.js';
import { BatchError } from './errors.js';
import { normalise } from './normaliser.js';
import { updateRange } from './range.js';
import { updateRepeat } from './repeat.js';
import { type Network, type Resident, createNetwork, disposeNetwork, stepBatch } from './reservoir-step.js';
import { buildReservoir } from './reservoir-weights.js';
import { scoreStep } from './score-channels.js';
import {
  type StreamState,
  decodeState,
  encodeState,
  initStreamState,
  sizeOf,
  tensorLayout,
} from './stream-state.js';

export interface StreamInput {
  readonly streamId: string;
  readonly features: ArrayLike<number>;
}

export interface StreamResult {
  readonly streamId: string;
  /**
   * Anomaly score in [0, 1]: the largest log-scaled likelihood of the enabled channels, held
   * quiet for `alarmRefractory` steps after an alarm. Compare against a threshold.
   */
  readonly anomalyScore: number;
  /** The largest channel likelihood, in [0, 1], before the refractory period. */
  readonly likelihood: number;
  /** This step's score reached alarmThreshold outside a refractory period. */
  readonly alarm: boolean;
  /** RMS error, in normalised units, of the previous step's prediction of these features. */
  readonly rawScore: number;
  /** Prediction of the next step's features, in input units. */
  readonly prediction: Float32Array;
  /** Fraction of neurons firing per substep during this step. */
  readonly spikeRate: number;
  /** Id of the recurring spike-rate pattern this step joined (stable per stream). */
  readonly patternId: number;
  /** 1 − cosine similarity to the nearest known pattern, in [0, 1]. */
  readonly novelty: number;
}

export interface DetectorStats {
  readonly steps: number;
  readonly streamSteps: number;
  readonly spikes: number;
  /** Spikes times the recurrent out-degree: synaptic events delivered. */
  readonly synapticEvents: number;
}

export interface Detector {
  readonly config: DetectorConfig;
  readonly configHash: string;
  readonly backend: BackendInfo;
  /** Spectral radius of the recurrent weights as built (estimated; the members' mean). */
  readonly spectralRadius: number;
  step(batch: readonly StreamInput[]): StreamResult[];
  exportState(streamId: string): Uint8Array;
  importState(streamId: string, bytes: Uint8Array): void;
  dropStream(streamId: string): boolean;
  streams(): string[];
  stats(): DetectorStats;
  dispose(): void;
}

/** Builds a detector on the tfjs backend chosen by @simstream/compute (initialising it if needed). */
export async function createDetector(options: DetectorOptions): Promise<Detector> {
  const config = resolveConfig(options);
  const backend = currentBackend() ?? (await initCompute());
  return new SpikingDetector(config, backend);
}

class SpikingDetector implements Detector {
  readonly config: DetectorConfig;
  readonly configHash: string;
  readonly backend: BackendInfo;
  readonly spectralRadius: number;
  private readonly net: Network;
  private readonly degree: number;
  private readonly weights: number[];
  private readonly host = new Map<string, StreamState>();
  private resident: Resident | undefined;
  private residentIds: string[] = [];
  private hostStale = false;
  private counters = { steps: 0, streamSteps: 0, spikes: 0 };

  constructor(config: DetectorConfig, backend: BackendInfo) {
    this.config = config;
    this.configHash = configHash(config);
    this.backend = backend;
    const members = Array.from({ length: config.ensemble }, (_, k) =>
      buildReservoir({ ...config, seed: memberSeed(config, k) }),
    );
    this.spectralRadius = members.reduce((a, w) => a + w.spectralRadius, 0) / members.length;
    this.degree = members[0]!.recurrentNonZeros / config.neurons;
    this.net = createNetwork(config, members);
    this.weights = errorWeights(config);
  }

  step(batch: readonly StreamInput[]): StreamResult[] {
    const c = this.config;
    const d = c.featureDim;
    const b = batch.length;
    if (b === 0) return [];
    const ids = batch.map((x) => x.streamId);
    if (new Set(ids).size !== b) throw new BatchError('a stream appears more than once in the batch');
    for (const x of batch) {
      if (x.features.length !== d) {
        throw new BatchError(
          `stream '${x.streamId}': ${x.features.length} features, the detector takes ${d}`,
        );
      }
      for (let j = 0; j < d; j++) {
        if (!Number.isFinite(x.features[j]))
          throw new BatchError(`stream '${x.streamId}': feature ${j} is not finite`);
      }
    }
    const z = new Float32Array(b * d);
    const outOfRange: number[] = [];
    const repeated: boolean[] = [];
    const states = batch.map((x, i) => {
      let s = this.host.get(x.streamId);
      if (s === undefined) {
        s = initStreamState(c);
        this.host.set(x.streamId, s);
      }
      // The range check reads the normaliser's spread before this value joins it.
      const norm = s.host['normaliser']!;
      // With the normaliser's relative floor, so a feature that sat still moves by more than rounding.
      const std = (j: number): number =>
        Math.sqrt(norm[1 + d + j] ?? 0) + 1e-6 * (Math.abs(norm[1 + j] ?? 0) + 1e-6);
      outOfRange.push(
        updateRange(s.host['range']!, x.features, this.weights, c.rangeTolerance, c.rangeSigmas, std),
      );
      repeated.push(updateRepeat(s.host['repeat']!, x.features, this.weights, c.repeatMaxRate));
      normalise(norm, x.features, z, i * d, c.normaliserHalfLife, c.inputClip);
      return s;
    });
    this.ensureResident(ids);

    const zt = tf.tensor2d(z, [b, d]);
    const { state, out } = stepBatch(c, this.net, this.resident!, zt);
    zt.dispose();
    for (const t of Object.values(this.resident!)) t.dispose();
    this.resident = state;
    this.hostStale = true;
    const o = out.dataSync();
    out.dispose();

    const width = d + 4;
    const weights = this.weights;
    const results: StreamResult[] = [];
    for (let i = 0; i < b; i++) {
      const s = states[i]!;
      const row = i * width;
      const norm = s.host['normaliser']!;
      const prediction = new Float32Array(d);
      let deviation = 0;
      for (let j = 0; j < d; j++) {
        const mean = norm[1 + j] ?? 0;
        const std = Math.sqrt(norm[1 + d + j] ?? 0);
        prediction[j] = mean + (o[row + j] ?? 0) * std;
        deviation += (weights[j] ?? 0) * (z[i * d + j] ?? 0) ** 2;
      }
      const rawScore = o[row + d] ?? 0;
      const spikeRate = o[row + d + 1] ?? 0;
      const novelty = o[row + d + 3] ?? 0;
      const range = outOfRange[i]!;
      const scored = scoreStep(c, s.host, {
        error: rawScore,
        input: Math.sqrt(deviation),
        novelty,
        range,
        repeat: repeated[i]!,
      });
      this.counters.spikes += spikeRate * c.neurons * c.substeps * c.ensemble;
      results.push({
        streamId: ids[i]!,
        anomalyScore: scored.score,
        likelihood: scored.likelihood,
        alarm: scored.alarm,
        rawScore,
        prediction,
        spikeRate,
        patternId: o[row + d + 2] ?? 0,
        novelty,
      });
    }
    this.counters.steps++;
    this.counters.streamSteps += b;
    return results;
  }

  exportState(streamId: string): Uint8Array {
    const s = this.host.get(streamId);
    if (s === undefined) throw new BatchError(`unknown stream '${streamId}'`);
    if (this.residentIds.includes(streamId)) this.syncHost();
    return encodeState(streamId, this.configHash, this.config, s);
  }

  importState(streamId: string, bytes: Uint8Array): void {
    const s = decodeState(streamId, this.configHash, this.config, bytes);
    if (this.residentIds.includes(streamId)) this.evictResident();
    this.host.set(streamId, s);
  }

  dropStream(streamId: string): boolean {
    if (this.residentIds.includes(streamId)) this.evictResident();
    return this.host.delete(streamId);
  }

  streams(): string[] {
    return [...this.host.keys()];
  }

  stats(): DetectorStats {
    const { steps, streamSteps, spikes } = this.counters;
    return { steps, streamSteps, spikes, synapticEvents: spikes * this.degree };
  }

  dispose(): void {
    this.evictResident();
    disposeNetwork(this.net);
  }

  private ensureResident(ids: readonly string[]): void {
    const same = ids.length === this.residentIds.length && ids.every((id, i) => id === this.residentIds[i]);
    if (same && this.resident !== undefined) return;
    this.evictResident();
    const b = ids.length;
    const resident: Resident = {};
    for (const spec of tensorLayout(this.config)) {
      const size = sizeOf(spec.shape);
      const buf = new Float32Array(b * size);
      ids.forEach((id, i) => buf.set(this.host.get(id)!.tensors[spec.name]!, i * size));
      resident[spec.name] = tf.tensor(buf, [b, ...spec.shape]);
    }
    this.resident = resident;
    this.residentIds = [...ids];
    this.hostStale = false;
  }

  /** Copies the resident tensors back into the host states (they stay resident). */
  private syncHost(): void {
    if (this.resident === undefined || !this.hostStale) return;
    for (const spec of tensorLayout(this.config)) {
      const size = sizeOf(spec.shape);
      const data = this.resident[spec.name]!.dataSync() as Float32Array;
      this.residentIds.forEach((id, i) => {
        this.host.get(id)?.tensors[spec.name]!.set(data.subarray(i * size, (i + 1) * size));
      });
    }
    this.hostStale = false;
  }

  private evictResident(): void {
    this.syncHost();
    if (this.resident !== undefined) for (const t of Object.values(this.resident)) t.dispose();
    this.resident = undefined;
    this.residentIds = [];
  }
}
