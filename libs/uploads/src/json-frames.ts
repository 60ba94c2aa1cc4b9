/**
 * JSON frame uploads: `{frames: [{step, sim_time, fields: [{name, dtype, shape, codec, data}],
 * attributes}]}` with `data` in base64 (standard or URL-safe alphabet). The gateway's JSON schema
 * checks the structure first; this checks what a schema cannot say cheaply (base64, steps) and
 * stays safe without it (the CLI runs it on raw files): one linear pass per string, no regex
 * that could backtrack on a large field.
 */
import type { Codec, DType } from '@simstream/contracts';
import type { FieldViolation } from '@simstream/errors';
import { readStep } from './steps.js';
import { invalidUpload } from './upload-error.js';
import type { UploadFrame } from './upload-frame.js';

export interface JsonField {
  name: string;
  dtype: DType;
  shape: number[];
  codec?: Codec;
  data: string;
}

export interface JsonFrame {
  step: number;
  sim_time: number;
  simulation_id?: string;
  fields: JsonField[];
  attributes?: Record<string, string>;
}

export interface JsonUpload {
  frames: JsonFrame[];
}

/** 'base64', 'base64url' or undefined when `text` is neither (RFC 4648, padding optional for url). */
export function base64Alphabet(text: string): 'base64' | 'base64url' | undefined {
  let standard = text.length % 4 === 0;
  let url = true;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const common = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (c === 61 /* = */) {
      url = false;
      padding++;
      if (i < text.length - 2 || padding > 2) standard = false;
      continue;
    }
    if (padding > 0) standard = false;
    if (common) continue;
    if (c === 43 || c === 47)
      url = false; // + /
    else if (c === 45 || c === 95)
      standard = false; // - _
    else return undefined;
  }
  if (standard) return 'base64';
  return url ? 'base64url' : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the gateway's schema guarantees, checked again for callers without it (the CLI). */
function wellTyped(field: unknown): field is JsonField {
  return (
    isObject(field) &&
    typeof field.name === 'string' &&
    typeof field.dtype === 'string' &&
    typeof field.data === 'string' &&
    (field.codec === undefined || typeof field.codec === 'string') &&
    Array.isArray(field.shape) &&
    field.shape.every((d) => typeof d === 'number')
  );
}

export function jsonFrames(body: unknown): UploadFrame[] {
  if (!isObject(body) || !Array.isArray(body.frames))
    throw invalidUpload([
      { field: 'body.frames', reason: 'FRAMES_INVALID', description: 'frames must be an array' },
    ]);
  const violations: FieldViolation[] = [];
  const frames: UploadFrame[] = [];
  for (const [i, raw] of (body.frames as unknown[]).entries()) {
    const where = `body.frames[${i}]`;
    if (!isObject(raw) || !Array.isArray(raw.fields)) {
      violations.push({
        field: where,
        reason: 'FRAME_INVALID',
        description: 'a frame is an object with fields',
      });
      continue;
    }
    const frame = raw as unknown as JsonFrame;
    const step = readStep(typeof frame.step === 'number' ? frame.step : null, `${where}.step`);
    if ('violation' in step) violations.push(step.violation);
    const fields = frame.fields.map((field: JsonField, j) => {
      if (!wellTyped(field))
        violations.push({
          field: `${where}.fields[${j}]`,
          reason: 'FIELD_INVALID',
          description: 'a field is {name, dtype, shape (integers), codec?, data (base64)}',
        });
      const data = typeof field?.data === 'string' ? field.data : '';
      const alphabet = base64Alphabet(data);
      if (alphabet === undefined)
        violations.push({
          field: `${where}.fields[${j}].data`,
          reason: 'BASE64_INVALID',
          description: 'data must be base64 (RFC 4648, standard or URL-safe alphabet)',
        });
      return {
        name: String(field?.name),
        dtype: field?.dtype,
        shape: Array.isArray(field?.shape) ? field.shape : [],
        codec: field?.codec ?? 'none',
        data: Buffer.from(data, alphabet ?? 'base64'),
      };
    });
    frames.push({
      step: 'step' in step ? step.step : -1,
      simTime: typeof frame.sim_time === 'number' ? frame.sim_time : NaN,
      attributes: isObject(frame.attributes) ? frame.attributes : {},
      ...(frame.simulation_id === undefined ? {} : { simulationId: frame.simulation_id }),
      fields,
    });
    if (violations.length >= 100) break;
  }
  if (violations.length > 0) throw invalidUpload(violations);
  return frames;
}
