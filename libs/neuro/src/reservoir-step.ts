/**
 * One step of a batch of streams, all in tfjs ops on [B, …] tensors: learn the readout from the
 * error of the last prediction (batched recursive least squares with forgetting), encode the new
 * features into currents, run the leaky integrate-and-fire substeps, update the spike-rate
 * traces, predict the next features, and assign the slow spike-rate vector to a pattern cluster.
 */
import { tf } from '@simstream/compute';
import { type DetectorConfig, errorWeights, readoutSize, targetSize } from './config.js';
import type { ReservoirWeights } from './reservoir-weights.js';

type Tensor = tf.Tensor;
export type Resident = Record<string, Tensor>;

/** The network's constant tensors, shared by every stream. Dispose when done. */
export interface Network {
  /** [N, N] per ensemble member. */
  readonly recurrent: readonly tf.Tensor2D[];
  /** [E, N] per ensemble member. */
  readonly input: readonly tf.Tensor2D[];
  /** [1, N], or [K, N]. */
  readonly bias: Tensor;
  readonly centres: tf.Tensor1D;
  readonly eye: tf.Tensor2D;
  readonly traceDecay: tf.Tensor3D;
  /** [1, d] weights of the features' errors in the raw score, summing to 1. */
  readonly errorWeights: tf.Tensor2D;
}

/** One set of weights per ensemble member. */
export function createNetwork(c: DetectorConfig, members: readonly ReservoirWeights[]): Network {
  const n = c.neurons;
  const m = c.populationSize;
  const k = members.length;
  const w0 = members[0]!;
  // Receptive-field centres span ±3 normalised units.
  const centres = Array.from({ length: m }, (_, i) => -3 + (6 * i) / (m - 1));
  const decays = c.traceTaus.map((tau) => Math.exp(-1 / tau));
  const biases = new Float32Array(k * n);
  members.forEach((w, i) => biases.set(w.bias, i * n));
  return {
    recurrent: members.map((w) => tf.tensor2d(w.recurrent, [n, n])),
    input: members.map((w) => tf.tensor2d(w.input, [w0.encodingUnits, n])),
    bias: tf.tensor2d(biases, [k, n]),
    centres: tf.tensor1d(centres),
    eye: tf.eye(readoutSize(c)),
    traceDecay: tf.tensor3d(decays, [1, decays.length, 1]),
    errorWeights: tf.tensor2d(errorWeights(c), [1, c.featureDim]),
  };
}

/**
 * x [B·K, M] (rows member-minor) times each member's own [M, N] weights. One 2-D matmul per
 * member: tfjs-backend-wasm 4.22 runs a batched [K, B, M]×[K, M, N] matmul about 9× slower
 * than the same work as K plain ones.
 */
function memberMatMul(x: Tensor, w: readonly tf.Tensor2D[], k: number): Tensor {
  if (k === 1) return tf.matMul(x, w[0]!);
  const [rows, width] = x.shape as [number, number];
  const b = rows / k;
  const byStream = tf.reshape(x, [b, k, width]);
  const outs = w.map((wk, i) =>
    tf.matMul(tf.reshape<tf.Rank.R2>(tf.slice(byStream, [0, i, 0], [b, 1, width]), [b, width]), wk),
  );
  return tf.reshape(tf.stack(outs, 1), [rows, -1]);
}

/** Adds each member's bias [K, N] to rows [B·K, N] (member-minor). */
function addMemberBias(x: Tensor, bias: Tensor, k: number): Tensor {
  if (k === 1) return tf.add(x, bias);
  const [rows, n] = x.shape as [number, number];
  return tf.reshape(tf.add(tf.reshape(x, [rows / k, k, n]), bias), [rows, n]);
}

/** Mean over the K members of rows [B·K, w] (member-minor) → [B, w]. */
function memberMean(x: Tensor, k: number): Tensor {
  if (k === 1) return x;
  const [rows, w] = x.shape as [number, number];
  return tf.mean(tf.reshape(x, [rows / k, k, w]), 1);
}

export function disposeNetwork(net: Network): void {
  for (const t of Object.values(net)) {
    if (Array.isArray(t)) for (const member of t as Tensor[]) member.dispose();
    else (t as Tensor).dispose();
  }
}

/** Encoding units' activity for normalised features z [B, d]. */
function encode(c: DetectorConfig, net: Network, z: tf.Tensor2D): tf.Tensor2D {
  const b = z.shape[0];
  if (c.encoding === 'rate') return tf.concat([tf.relu(z), tf.relu(tf.neg(z))], 1);
  const width = 6 / (c.populationSize - 1);
  // Clipped to the outer centres: values beyond them light the edge fields fully instead of
  // fading to a code of nothing.
  const zc = tf.clipByValue(z, -3, 3);
  const diff = tf.sub(tf.expandDims(zc, 2), tf.reshape(net.centres, [1, 1, -1]));
  const act = tf.exp(tf.mul(tf.square(diff), -0.5 / (width * width)));
  return tf.reshape(act, [b, c.featureDim * c.populationSize]);
}

/**
 * Raw anomaly score [B, 1]. For a code target: the share of the actual code the prediction did
 * not cover, 1 − clip(⟨predicted, actual⟩ / ⟨actual, actual⟩, 0, 1), weighted over features —
 * low whenever the value was among the predicted possibilities. For features: the weighted RMS error.
 */
function rawError(c: DetectorConfig, net: Network, err: Tensor, code: Tensor, predicted: Tensor): Tensor {
  if (c.readoutTarget !== 'code') return tf.sqrt(tf.sum(tf.mul(tf.square(err), net.errorWeights), 1, true));
  const b = code.shape[0] ?? 0;
  const shape = [b, c.featureDim, c.populationSize];
  const a = tf.reshape(code, shape);
  const p = tf.reshape(predicted, shape);
  const overlap = tf.div(tf.sum(tf.mul(a, p), 2), tf.add(tf.sum(tf.square(a), 2), 1e-9));
  return tf.sum(tf.mul(tf.sub(1, tf.clipByValue(overlap, 0, 1)), net.errorWeights), 1, true);
}

/** Features decoded from a predicted code: the centre of mass of its positive part. */
function decode(c: DetectorConfig, net: Network, predicted: Tensor): Tensor {
  const b = predicted.shape[0] ?? 0;
  const p = tf.relu(tf.reshape(predicted, [b, c.featureDim, c.populationSize]));
  const mass = tf.sum(p, 2);
  const centre = tf.sum(tf.mul(p, tf.reshape(net.centres, [1, 1, -1])), 2);
  return tf.div(centre, tf.add(mass, 1e-9));
}

/**
 * Batched RLS with forgetting λ on features φ [B, F] and error e [B, d] (the a-priori error of
 * the prediction made from φ). The rank-one term is formed as (Pφ)(Pφ)ᵀ/(λ + φᵀPφ) by a
 * broadcast product, which is exactly symmetric in floating point (a·b = b·a) and much cheaper
 * than a K = 1 batched matmul; the trace cap keeps P bounded when the input stops exciting some
 * directions (flat series), where plain RLS winds up. A stream's first step (`active` = 0, φ = 0)
 * leaves P exactly as it was.
 */
function rlsUpdate(c: DetectorConfig, net: Network, s: Resident, err: Tensor, active: Tensor) {
  const f = readoutSize(c);
  const lambda = c.rlsForgetting;
  const P = s['P']!;
  const b = P.shape[0] ?? 0;
  const phi = tf.expandDims(s['phi']!, 2);
  const pphi = tf.matMul(P, phi);
  const quad = tf.sum(tf.mul(phi, pphi), 1, true);
  // φᵀPφ < 0 means float32 rounding has cost P its positive definiteness; the gain would blow
  // up, so such a stream restarts from P = g·I and skips this update.
  const healthy = tf.cast(tf.greaterEqual(quad, 0), 'float32');
  const denom = tf.add(tf.relu(quad), lambda);
  const k = tf.mul(tf.div(pphi, denom), healthy);
  const outer = tf.mul(k, tf.reshape(pphi, [b, 1, f]));
  const gate = tf.reshape(active, [b, 1, 1]);
  const forget = tf.add(1, tf.mul(gate, 1 / lambda - 1));
  const traceP = tf.sum(tf.mul(P, net.eye), [1, 2], true);
  const traceNext = tf.mul(forget, tf.sub(traceP, tf.sum(tf.mul(k, pphi), 1, true)));
  const cap = tf.minimum(1, tf.div(f * c.rlsInitialGain, traceNext));
  const updated = tf.mul(tf.sub(P, outer), tf.mul(forget, cap));
  const P2 = tf.add(tf.mul(updated, healthy), tf.mul(tf.mul(net.eye, c.rlsInitialGain), tf.sub(1, healthy)));
  // err is already zero for inactive streams, so W needs no gate.
  const W2 = tf.add(s['W']!, tf.matMul(k, tf.expandDims(err, 1)));
  return { P: P2, W: W2 };
}

export interface StepOutput {
  readonly state: Resident;
  /** [B, d + 4]: predicted features (d), raw score, spike rate, pattern id, novelty. */
  readonly out: tf.Tensor2D;
  /** [B]: spikes fired this step (for synaptic-event accounting). */
}

export function stepBatch(c: DetectorConfig, net: Network, resident: Resident, zIn: tf.Tensor2D): StepOutput {
  return tf.tidy(() => {
    const streams = zIn.shape[0];
    const members = c.ensemble;
    const b = streams * members;
    // Resident fields are [B, K, …]; every member of every stream is one row here.
    const s: Resident = {};
    for (const [name, t] of Object.entries(resident)) s[name] = tf.reshape(t, [b, ...t.shape.slice(2)]);
    const z =
      members === 1
        ? zIn
        : tf.reshape<tf.Rank.R2>(tf.tile(tf.expandDims(zIn, 1), [1, members, 1]), [b, c.featureDim]);
    const meta = s['meta']!;
    const active = tf.slice(meta, [0, 0], [b, 1]); // a prediction is pending
    const stepCount = tf.slice(meta, [0, 1], [b, 1]);
    const nextId = tf.slice(meta, [0, 2], [b, 1]);

    const code = encode(c, net, z);
    // The readout's target: the next population code (a soft set of likely values, as HTM
    // predicts a set of columns) or the next normalised features.
    const target = c.readoutTarget === 'code' ? code : z;
    const err = tf.mul(tf.sub(target, s['prediction']!), active);
    // The anomaly's raw score is the error of the members' mean prediction; each member learns
    // from its own error.
    const streamActive = memberMean(active, members);
    const streamTarget = memberMean(target, members);
    const streamPrediction = memberMean(s['prediction']!, members);
    const streamErr = tf.mul(tf.sub(streamTarget, streamPrediction), streamActive);
    const raw = tf.mul(
      rawError(c, net, streamErr, memberMean(code, members), streamPrediction),
      streamActive,
    );
    const { P, W } = rlsUpdate(c, net, s, err, active);

    const current = addMemberBias(memberMatMul(code, net.input, members), net.bias, members);
    const alpha = Math.exp(-1 / c.membraneTau);
    let v = s['v']!;
    let ref = s['refractory']!;
    let spikes = s['spikes']!;
    let count: Tensor = tf.zerosLike(v);
    for (let i = 0; i < c.substeps; i++) {
      const drive = tf.add(current, memberMatMul(spikes, net.recurrent, members));
      const ready = tf.lessEqual(ref, 0);
      v = tf.where(ready, tf.add(tf.mul(v, alpha), drive), tf.zerosLike(v));
      const fired = tf.logicalAnd(ready, tf.greaterEqual(v, 1));
      spikes = tf.cast(fired, 'float32');
      v = tf.where(fired, tf.zerosLike(v), v);
      ref = tf.where(fired, tf.fill(v.shape, c.refractorySteps), tf.maximum(tf.sub(ref, 1), 0));
      count = tf.add(count, spikes);
    }
    const rate = tf.div(count, c.substeps);
    const decay = net.traceDecay;
    const traces = tf.add(tf.mul(s['traces']!, decay), tf.mul(tf.expandDims(rate, 1), tf.sub(1, decay)));

    const r = c.readoutNeurons;
    const parts = c.traceTaus.map((_, i) => tf.reshape(tf.slice(traces, [0, i, 0], [b, 1, r]), [b, r]));
    const direct = c.readoutInput === 'none' ? [] : [c.readoutInput === 'code' ? code : z];
    const phi = tf.concat([...parts, ...direct, tf.ones([b, 1])], 1);
    // Targets never leave ±inputClip, so neither may predictions (a diverging readout would
    // otherwise turn into astronomically large errors).
    const prediction = tf.clipByValue(
      tf.reshape(tf.matMul(tf.expandDims(phi, 1), W), [b, targetSize(c)]),
      -c.inputClip,
      c.inputClip,
    );
    const meanPrediction = memberMean(prediction, members);
    const predictedFeatures = c.readoutTarget === 'code' ? decode(c, net, meanPrediction) : meanPrediction;

    const slow = parts[parts.length - 1]!;
    const clusters = assignPattern(c, s, slow, stepCount, nextId);
    // Pattern ids are those of the first member (ids of different members are unrelated).
    const patternId =
      members === 1
        ? clusters.patternId
        : tf.reshape(tf.slice(tf.reshape(clusters.patternId, [streams, members]), [0, 0], [streams, 1]), [
            streams,
            1,
          ]);

    const spikeRate = memberMean(tf.mean(rate, 1, true), members);
    const out = tf.concat(
      [predictedFeatures, raw, spikeRate, patternId, memberMean(clusters.novelty, members)],
      1,
    ) as tf.Tensor2D;
    const nextMeta = tf.concat([tf.onesLike(active), tf.add(stepCount, 1), clusters.nextId], 1);
    const rows: Resident = {
      v,
      refractory: ref,
      spikes,
      traces,
      P,
      W,
      phi,
      prediction,
      meta: nextMeta,
      centroids: clusters.centroids,
      clusterCount: clusters.count,
      clusterLastUsed: clusters.lastUsed,
      clusterId: clusters.id,
    };
    const state: Resident = {};
    for (const [name, t] of Object.entries(rows))
      state[name] = tf.reshape(t, [streams, members, ...t.shape.slice(1)]);
    return { state, out };
  });
}

/**
 * Online leader clustering of (centred) spike-rate vectors by cosine similarity: join the nearest pattern
 * (and move its centroid) unless the novelty 1 − cos exceeds the threshold, in which case a new
 * pattern takes the slot of an unused or the least recently used one, with a fresh id.
 */
function assignPattern(c: DetectorConfig, s: Resident, x: Tensor, stepCount: Tensor, nextId: Tensor) {
  const k = c.clusters;
  // Centred before normalising: rates are non-negative, so raw cosines all sit near 1.
  const centred = tf.sub(x, tf.mean(x, 1, true));
  const unit = tf.div(centred, tf.add(tf.sqrt(tf.sum(tf.square(centred), 1, true)), 1e-9));
  const C = s['centroids']!;
  const count = s['clusterCount']!;
  const lastUsed = s['clusterLastUsed']!;
  const id = s['clusterId']!;
  const cnorm = tf.add(tf.sqrt(tf.sum(tf.square(C), 2)), 1e-9);
  const dots = tf.squeeze(tf.matMul(C, tf.expandDims(unit, 2)), [2]);
  const used = tf.greater(count, 0);
  const cos = tf.where(used, tf.div(dots, cnorm), tf.fill(count.shape, -2));
  const best = tf.max(cos, 1, true);
  const nearest = tf.argMax(cos, 1);
  const novelty = tf.clipByValue(tf.sub(1, best), 0, 1);
  const isNew = tf.greater(novelty, c.clusterThreshold);
  const lru = tf.argMin(tf.where(used, lastUsed, tf.fill(lastUsed.shape, -1)), 1);
  const slot = tf.where(tf.squeeze(isNew, [1]), lru, nearest);
  // Cast after: tfjs-backend-wasm 4.22 writes the int bit pattern when oneHot is asked for float32.
  const oneHot = tf.cast(tf.oneHot(slot, k), 'float32');
  const slotCount = tf.sum(tf.mul(count, oneHot), 1, true);
  const newF = tf.cast(isNew, 'float32');
  const rate = tf.add(
    newF,
    tf.mul(tf.sub(1, newF), tf.maximum(tf.div(1, tf.add(slotCount, 1)), c.clusterMinRate)),
  );
  const move = tf.mul(tf.expandDims(tf.mul(oneHot, rate), 2), tf.sub(tf.expandDims(unit, 1), C));
  const centroids = tf.add(C, move);
  const keep = tf.sub(1, oneHot);
  const nextCount = tf.add(
    tf.mul(count, keep),
    tf.mul(oneHot, tf.add(tf.mul(slotCount, tf.sub(1, newF)), 1)),
  );
  const nextLast = tf.add(tf.mul(lastUsed, keep), tf.mul(oneHot, stepCount));
  const slotId = tf.add(tf.mul(newF, nextId), tf.mul(tf.sub(1, newF), tf.sum(tf.mul(id, oneHot), 1, true)));
  const nextIds = tf.add(tf.mul(id, keep), tf.mul(oneHot, slotId));
  return {
    centroids,
    count: nextCount,
    lastUsed: nextLast,
    id: nextIds,
    nextId: tf.add(nextId, newF),
    patternId: slotId,
    novelty,
  };
}
