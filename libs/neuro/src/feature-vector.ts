/**
 * A frame's feature vector, as the neuromorphic service feeds the detector and the sim-events
 * bench measures it: the first `maxFields` fields in name order (code-point order, so every
 * instance picks the same ones), STATS_PER_FIELD features each (field-features.ts), then the
 * fraction of values that were not finite. Here so that the service and the bench compute the
 * same vectors from one copy; decoding a frame's bytes into arrays stays with the service.
 *
 * The layout (which fields, hence what each feature means) is part of a simulation's detector
 * state: a simulation whose field set changes starts a new detector state.
 */
import { createHash } from 'node:crypto';
import { FIELD_STATS, STATS_PER_FIELD, fieldFeatures, type NumericArray } from './field-features.js';

export interface FeatureLayout {
  /** The fields used, in order. */
  readonly fields: readonly string[];
  /** `<field>.<stat>` for each field and stat, then `nonfinite`. */
  readonly names: readonly string[];
  /** Short digest of the names: identifies the layout in checkpoints. */
  readonly digest: string;
}

export interface FrameFeatures {
  readonly layout: FeatureLayout;
  readonly values: Float64Array;
}

/** One field's values as the feature kernel reads them (row-major, plane = last two axes). */
export interface FieldValues {
  readonly shape: readonly number[];
  readonly values: NumericArray;
}

export function featureDimFor(fieldCount: number): number {
  return fieldCount * STATS_PER_FIELD + 1;
}

/** Layouts by field list; a handful in practice, bounded anyway. */
const layouts = new Map<string, FeatureLayout>();
const MAX_CACHED_LAYOUTS = 1024;

export function layoutOf(fields: readonly string[]): FeatureLayout {
  const key = fields.join('\n');
  let layout = layouts.get(key);
  if (layout === undefined) {
    const names = fields.flatMap((f) => FIELD_STATS.map((s) => `${f}.${s}`));
    names.push('nonfinite');
    const digest = createHash('sha256').update(names.join('\n')).digest('hex').slice(0, 16);
    layout = { fields: [...fields], names, digest };
    if (layouts.size >= MAX_CACHED_LAYOUTS) layouts.clear();
    layouts.set(key, layout);
  }
  return layout;
}

function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The fields a feature vector is made of: the first `maxFields` by name. */
export function chooseFields<T extends { readonly name: string }>(
  fields: readonly T[],
  maxFields: number,
): T[] {
  return [...fields].sort(byName).slice(0, maxFields);
}

/**
 * The feature vector of `count` fields (already chosen, in layout order). `field(i)` is asked for
 * each in turn, and its array is read before the next is asked for, so a caller may hand out
 * arrays that live in one reused buffer.
 */
export function featureValues(count: number, field: (index: number) => FieldValues): Float64Array {
  const values = new Float64Array(featureDimFor(count));
  let elements = 0;
  let nonFinite = 0;
  for (let i = 0; i < count; i++) {
    const { shape, values: array } = field(i);
    nonFinite += fieldFeatures(array, shape, values, i * STATS_PER_FIELD);
    elements += array.length;
  }
  values[values.length - 1] = elements > 0 ? nonFinite / elements : 0;
  return values;
}

/** The feature vector of named arrays (e.g. a simulation's `fields()`), `maxFields` of them by name. */
export function frameFeatures(
  fields: readonly (FieldValues & { readonly name: string })[],
  maxFields: number,
): FrameFeatures {
  const chosen = chooseFields(fields, maxFields);
  return {
    layout: layoutOf(chosen.map((f) => f.name)),
    values: featureValues(chosen.length, (i) => chosen[i]!),
  };
}
