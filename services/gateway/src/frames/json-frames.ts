/**
 * JSON frame uploads: `{frames: [{step, sim_time, fields: [{name, dtype, shape, codec, data}],
 * attributes}]}` with `data` in base64 (standard or URL-safe alphabet). The JSON schema (route
 * validation) checks the structure; this checks what a schema cannot say cheaply (base64).
 */
import type { Codec, DType } from '@simstream/contracts';
import type { FieldViolation } from '@simstream/errors';
import { badRequest } from '../problem.js';
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

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function jsonFrames(body: JsonUpload): UploadFrame[] {
  const violations: FieldViolation[] = [];
  const frames = body.frames.map((frame, i) => ({
    step: frame.step,
    simTime: frame.sim_time,
    attributes: frame.attributes ?? {},
    ...(frame.simulation_id === undefined ? {} : { simulationId: frame.simulation_id }),
    fields: frame.fields.map((field, j) => {
      const urlSafe = !BASE64.test(field.data);
      if (urlSafe && !BASE64URL.test(field.data))
        violations.push({
          field: `body.frames[${i}].fields[${j}].data`,
          reason: 'BASE64_INVALID',
          description: 'data must be base64 (RFC 4648, standard or URL-safe alphabet)',
        });
      return {
        name: field.name,
        dtype: field.dtype,
        shape: field.shape,
        codec: field.codec ?? 'none',
        data: Buffer.from(field.data, urlSafe ? 'base64url' : 'base64'),
      };
    }),
  }));
  if (violations.length > 0) throw badRequest(violations.slice(0, 100));
  return frames;
}
