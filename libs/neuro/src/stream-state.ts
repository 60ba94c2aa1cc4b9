/**
 * Per-stream state: the named Float32 arrays that live in tensors while a stream is stepping
 * (membranes, refractory counters, traces, the RLS inverse correlation and weights, pattern
 * centroids …) and the Float64 arrays that stay on the host (normaliser, likelihoods, alarm). Also the
 * self-describing binary format streams are exported in.
 */
import { type DetectorConfig, channelLikelihood, readoutSize, targetSize } from './config.js';
import { StateMismatchError } from './errors.js';
import { initLikelihoodState } from './likelihood.js';
import { normaliserStateSize } from './normaliser.js';
import { initRangeState } from './range.js';
import { initRepeatState } from './repeat.js';
import { CHANNELS } from './score-channels.js';

/** A tensor-resident field: its per-stream shape. */
export interface FieldSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface StreamState {
  /** Tensor-resident fields, flattened, in layout order. */
  readonly tensors: Record<string, Float32Array>;
  /** Host-side fields: `normaliser`, `alarm`, `range`, `repeat`, and one `likelihood.<channel>` per likelihood channel. */
  readonly host: Record<string, Float64Array>;
}

/** The tensor fields, in order. `meta` = [has a pending prediction, step count, next pattern id]. */
export function tensorLayout(c: DetectorConfig): FieldSpec[] {
  const n = c.neurons;
  const f = readoutSize(c);
  const k = c.clusters;
  // Every field is per ensemble member: [members, …].
  const m = c.ensemble;
  return [
    { name: 'v', shape: [m, n] },
    { name: 'refractory', shape: [m, n] },
    { name: 'spikes', shape: [m, n] },
    { name: 'traces', shape: [m, c.traceTaus.length, n] },
    { name: 'P', shape: [m, f, f] },
    { name: 'W', shape: [m, f, targetSize(c)] },
    { name: 'phi', shape: [m, f] },
    { name: 'prediction', shape: [m, targetSize(c)] },
    { name: 'meta', shape: [m, 3] },
    { name: 'centroids', shape: [m, k, c.readoutNeurons] },
    { name: 'clusterCount', shape: [m, k] },
    { name: 'clusterLastUsed', shape: [m, k] },
    { name: 'clusterId', shape: [m, k] },
  ];
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function initStreamState(c: DetectorConfig): StreamState {
  const tensors: Record<string, Float32Array> = {};
  for (const spec of tensorLayout(c)) tensors[spec.name] = new Float32Array(sizeOf(spec.shape));
  const f = readoutSize(c);
  const p = tensors['P'];
  if (p !== undefined) {
    for (let m = 0; m < c.ensemble; m++)
      for (let i = 0; i < f; i++) p[m * f * f + i * f + i] = c.rlsInitialGain;
  }
  const host: Record<string, Float64Array> = {
    normaliser: new Float64Array(normaliserStateSize(c.featureDim)),
    // [refractory steps left, steps seen (probation), score of the last alarm]
    alarm: new Float64Array(3),
    range: initRangeState(c.featureDim),
    repeat: initRepeatState(c.featureDim),
  };
  for (const ch of CHANNELS) host[`likelihood.${ch}`] = initLikelihoodState(channelLikelihood(c, ch));
  return { tensors, host };
}

const MAGIC = 0x53_4e_52_53; // 'SNRS'
/** 2: per-channel likelihood window sizes and the `range` section; 3: steps seen (probation) in `alarm`, the `repeat` section. */
export const STATE_VERSION = 3;

interface Header {
  readonly streamId: string;
  readonly configHash: string;
  readonly sections: { name: string; dtype: 'float32' | 'float64'; length: number }[];
}

/**
 * Layout: u32 magic, u32 version, u32 header length, UTF-8 JSON header (stream id, config hash,
 * sections), zero padding to 8 bytes, then each section's little-endian values in order.
 */
export function encodeState(streamId: string, hash: string, c: DetectorConfig, s: StreamState): Uint8Array {
  const sections: Header['sections'] = [];
  const arrays: (Float32Array | Float64Array)[] = [];
  for (const spec of tensorLayout(c)) {
    const a = s.tensors[spec.name] ?? new Float32Array(0);
    sections.push({ name: spec.name, dtype: 'float32', length: a.length });
    arrays.push(a);
  }
  for (const [name, a] of Object.entries(s.host)) {
    sections.push({ name, dtype: 'float64', length: a.length });
    arrays.push(a);
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ streamId, configHash: hash, sections } satisfies Header),
  );
  const start = Math.ceil((12 + header.length) / 8) * 8;
  const total = arrays.reduce((n, a) => n + a.byteLength, start);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, STATE_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  let off = start;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    out.set(bytes, off);
    off += a.byteLength;
  }
  return out;
}

export function decodeState(
  streamId: string,
  hash: string,
  c: DetectorConfig,
  bytes: Uint8Array,
): StreamState {
  const fail = (why: string): never => {
    throw new StateMismatchError(streamId, why);
  };
  if (bytes.length < 12) fail('too short to be exported state');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) fail('not detector state (bad magic)');
  const version = view.getUint32(4, true);
  if (version !== STATE_VERSION) fail(`format version ${version}, this build reads ${STATE_VERSION}`);
  const hlen = view.getUint32(8, true);
  if (12 + hlen > bytes.length) fail('truncated header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hlen))) as Header;
  } catch {
    return fail('unreadable header');
  }
  if (header.configHash !== hash) {
    fail(`it was exported by a detector with config ${header.configHash}; this one is ${hash}`);
  }
  const expected = initStreamState(c);
  let off = Math.ceil((12 + hlen) / 8) * 8;
  const tensors: Record<string, Float32Array> = {};
  const host: Record<string, Float64Array> = {};
  for (const sec of header.sections) {
    const width = sec.dtype === 'float64' ? 8 : 4;
    const end = off + sec.length * width;
    if (end > bytes.length) fail(`section '${sec.name}' is truncated`);
    // Copy so the state owns aligned memory independent of the caller's buffer. Uint8Array's
    // slice, not the argument's own: a Node Buffer's slice is a view into its (pooled) memory.
    const copy = Uint8Array.prototype.slice.call(bytes, off, end);
    if (sec.dtype === 'float64') {
      const want = expected.host[sec.name];
      if (want === undefined || want.length !== sec.length) fail(`unexpected section '${sec.name}'`);
      host[sec.name] = new Float64Array(copy.buffer);
    } else {
      const want = expected.tensors[sec.name];
      if (want === undefined || want.length !== sec.length) fail(`unexpected section '${sec.name}'`);
      tensors[sec.name] = new Float32Array(copy.buffer);
    }
    off = end;
  }
  for (const name of Object.keys(expected.tensors))
    if (tensors[name] === undefined) fail(`missing section '${name}'`);
  for (const name of Object.keys(expected.host))
    if (host[name] === undefined) fail(`missing section '${name}'`);
  return { tensors, host };
}
