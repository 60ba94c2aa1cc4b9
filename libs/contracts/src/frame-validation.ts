/**
 * Validation of an incoming frame against the contract: ids, step, fields, dtype, shape,
 * codec, data length after decompression, optional finite-values check, size limits. Pure
 * apart from decompression (zlib on the thread pool, bounded by the size the shape implies, so
 * a compression bomb cannot inflate past it). Every problem is reported at once, each naming
 * the field path and a stable reason code (docs/errors.md).
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ValidationError, type FieldViolation } from '@simstream/errors';
import {
  DTYPE_BYTES,
  codecFromProto,
  dtypeFromProto,
  isCodec,
  isDType,
  type Codec,
  type DType,
} from './dtype.js';
import type { FrameField } from './records.js';

const inflate = promisify(zlib.inflate);
const gunzip = promisify(zlib.gunzip);

export const SIMULATION_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
/** Tenants own simulations; set by ingestion from the (trusted) caller. */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
export const MAX_DIMS = 8;

/** A frame as it arrives, before validation (from gRPC, HTTP or a file). */
export interface IncomingField {
  readonly name: string;
  /** Wire name (float32) or protobuf enum name (DTYPE_FLOAT32). */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Wire name (deflate) or protobuf enum name (CODEC_DEFLATE); empty means none. */
  readonly codec: string;
  readonly data: Buffer;
}

export interface IncomingFrame {
  readonly simulationId: string;
  readonly step: number;
  readonly simTime: number;
  readonly fields: readonly IncomingField[];
  readonly attributes: Readonly<Record<string, string>>;
}

export interface FrameLimits {
  /** Largest frame as sent (sum of field data bytes). */
  readonly maxFrameBytes: number;
  /** Largest frame after decompression (what consumers hold in memory). */
  readonly maxDecodedFrameBytes: number;
  readonly maxFields: number;
  readonly maxAttributes: number;
  /** Reject NaN and ±Infinity in float fields (costs a pass over the data). */
  readonly checkFinite: boolean;
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = {
  maxFrameBytes: 256 * 1024 * 1024,
  maxDecodedFrameBytes: 512 * 1024 * 1024,
  maxFields: 64,
  maxAttributes: 64,
  checkFinite: false,
};

export interface ValidFrame {
  readonly simulationId: string;
  readonly step: number;
  readonly simTime: number;
  readonly fields: FrameField[];
  readonly attributes: Record<string, string>;
  /** Sum of field data bytes as sent. */
  readonly bytes: number;
}

function violation(field: string, reason: string, description: string): FieldViolation {
  return { field, reason, description };
}

function parseDType(value: string): DType | undefined {
  return isDType(value) ? value : dtypeFromProto(value);
}

function parseCodec(value: string): Codec | undefined {
  if (value === '') return 'none';
  return isCodec(value) ? value : codecFromProto(value);
}

/** Index of the first non-finite element, or -1. Works on unaligned buffers. */
export function firstNonFinite(dtype: DType, data: Uint8Array): number {
  if (dtype === 'float32' || dtype === 'float64') {
    const size = DTYPE_BYTES[dtype];
    const aligned = data.byteOffset % size === 0 ? data : new Uint8Array(data);
    const values =
      dtype === 'float32'
        ? new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4)
        : new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
    for (let i = 0; i < values.length; i++) {
      // x - x is NaN exactly for NaN and ±Infinity; one branch per element.
      const x = values[i]!;
      if (x - x !== 0) return i;
    }
    return -1;
  }
  if (dtype === 'float16') {
    for (let i = 0; i + 1 < data.length; i += 2) {
      if ((data[i + 1]! & 0x7c) === 0x7c) return i / 2; // exponent all ones: Inf or NaN
    }
  }
  return -1;
}

async function decompress(codec: Codec, data: Buffer, expected: number): Promise<Buffer> {
  // One byte of slack so that "longer than expected" is detected instead of truncated.
  const options = { maxOutputLength: Math.max(1, expected + 1) };
  if (codec === 'deflate') return inflate(data, options);
  if (codec === 'gzip') return gunzip(data, options);
  return data;
}

/**
 * Validates a frame. Returns the normalised frame (wire dtype/codec names) or throws a
 * ValidationError listing every violation.
 */
export async function validateFrame(frame: IncomingFrame, limits: FrameLimits): Promise<ValidFrame> {
  const problems: FieldViolation[] = [];
  if (!SIMULATION_ID_PATTERN.test(frame.simulationId)) {
    problems.push(
      violation(
        'simulation_id',
        'SIMULATION_ID_INVALID',
        `'${frame.simulationId.slice(0, 140)}' does not match ${SIMULATION_ID_PATTERN.source}`,
      ),
    );
  }
  if (!Number.isSafeInteger(frame.step) || frame.step < 0) {
    problems.push(
      violation('step', 'STEP_INVALID', `step must be a non-negative integer below 2^53, got ${frame.step}`),
    );
  }
  if (!Number.isFinite(frame.simTime)) {
    problems.push(violation('sim_time', 'SIM_TIME_INVALID', `sim_time must be finite, got ${frame.simTime}`));
  }
  const attributeCount = Object.keys(frame.attributes).length;
  if (attributeCount > limits.maxAttributes) {
    problems.push(
      violation(
        'attributes',
        'TOO_MANY_ATTRIBUTES',
        `${attributeCount} attributes, at most ${limits.maxAttributes}`,
      ),
    );
  }
  if (frame.fields.length === 0) {
    problems.push(violation('fields', 'FIELDS_EMPTY', 'a frame needs at least one field'));
  } else if (frame.fields.length > limits.maxFields) {
    problems.push(
      violation('fields', 'TOO_MANY_FIELDS', `${frame.fields.length} fields, at most ${limits.maxFields}`),
    );
  }

  let sentBytes = 0;
  let decodedBytes = 0;
  for (const field of frame.fields) sentBytes += field.data.length;
  if (sentBytes > limits.maxFrameBytes) {
    problems.push(
      violation(
        'fields',
        'FRAME_TOO_LARGE',
        `frame data is ${sentBytes} bytes, at most ${limits.maxFrameBytes}`,
      ),
    );
  }

  const names = new Set<string>();
  const checked: { field: IncomingField; path: string; dtype: DType; codec: Codec; expected: number }[] = [];
  frame.fields.forEach((field, i) => {
    const path = `fields[${i}]`;
    const before = problems.length;
    if (!FIELD_NAME_PATTERN.test(field.name)) {
      problems.push(
        violation(
          `${path}.name`,
          'FIELD_NAME_INVALID',
          `'${field.name.slice(0, 80)}' does not match ${FIELD_NAME_PATTERN.source}`,
        ),
      );
    } else if (names.has(field.name)) {
      problems.push(violation(`${path}.name`, 'FIELD_NAME_DUPLICATE', `field '${field.name}' appears twice`));
    }
    names.add(field.name);
    const dtype = parseDType(field.dtype);
    if (dtype === undefined) {
      problems.push(violation(`${path}.dtype`, 'DTYPE_UNKNOWN', `unknown dtype '${field.dtype}'`));
    }
    const codec = parseCodec(field.codec);
    if (codec === undefined) {
      problems.push(violation(`${path}.codec`, 'CODEC_UNKNOWN', `unknown codec '${field.codec}'`));
    }
    let elements = 1;
    if (field.shape.length === 0 || field.shape.length > MAX_DIMS) {
      problems.push(
        violation(
          `${path}.shape`,
          'SHAPE_INVALID',
          `shape needs 1 to ${MAX_DIMS} dimensions, got ${field.shape.length}`,
        ),
      );
    } else {
      for (const [d, dim] of field.shape.entries()) {
        if (!Number.isSafeInteger(dim) || dim < 1) {
          problems.push(
            violation(
              `${path}.shape[${d}]`,
              'SHAPE_INVALID',
              `dimension must be a positive integer, got ${dim}`,
            ),
          );
        }
        elements *= dim;
      }
    }
    if (problems.length > before || dtype === undefined || codec === undefined) return;
    const expected = elements * DTYPE_BYTES[dtype];
    decodedBytes += expected;
    if (codec === 'none' && field.data.length !== expected) {
      problems.push(
        violation(
          `${path}.data`,
          'SHAPE_MISMATCH',
          `data is ${field.data.length} bytes but shape [${field.shape.join(', ')}] of ${dtype} needs ${expected}`,
        ),
      );
      return;
    }
    checked.push({ field, path, dtype, codec, expected });
  });
  if (decodedBytes > limits.maxDecodedFrameBytes) {
    problems.push(
      violation(
        'fields',
        'FRAME_TOO_LARGE',
        `decoded frame would be ${decodedBytes} bytes, at most ${limits.maxDecodedFrameBytes}`,
      ),
    );
  }
  if (problems.length > 0) throw new ValidationError(problems);

  const fields: FrameField[] = [];
  for (const { field, path, dtype, codec, expected } of checked) {
    let raw: Buffer;
    try {
      raw = await decompress(codec, field.data, expected);
    } catch (error) {
      const tooLong = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      problems.push(
        violation(
          `${path}.data`,
          tooLong ? 'SHAPE_MISMATCH' : 'DECOMPRESSION_FAILED',
          tooLong
            ? `${codec} data decompresses to more than the ${expected} bytes shape [${field.shape.join(', ')}] of ${dtype} needs`
            : `${codec} data does not decompress: ${(error as Error).message}`,
        ),
      );
      continue;
    }
    if (raw.length !== expected) {
      problems.push(
        violation(
          `${path}.data`,
          'SHAPE_MISMATCH',
          `${codec} data decompresses to ${raw.length} bytes but shape [${field.shape.join(', ')}] of ${dtype} needs ${expected}`,
        ),
      );
      continue;
    }
    if (limits.checkFinite) {
      const at = firstNonFinite(dtype, raw);
      if (at >= 0) {
        problems.push(
          violation(
            `${path}.data`,
            'NON_FINITE_VALUE',
            `element ${at} of '${field.name}' is NaN or infinite`,
          ),
        );
        continue;
      }
    }
    fields.push({ name: field.name, dtype, shape: [...field.shape], codec, data: field.data });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    simulationId: frame.simulationId,
    step: frame.step,
    simTime: frame.simTime,
    fields,
    attributes: { ...frame.attributes },
    bytes: sentBytes,
  };
}
