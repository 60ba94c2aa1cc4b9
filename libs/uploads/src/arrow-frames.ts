/**
 * Arrow IPC stream uploads (application/vnd.apache.arrow.stream): one row per frame.
 *   step        integer (any width), required
 *   sim_time    float or integer, required
 *   attributes  utf8 holding a JSON object of strings, optional
 *   simulation_id utf8, optional (must be the path's)
 *   every other column is a field named like the column:
 *     binary / large_binary / fixed_size_binary: raw little-endian bytes; field metadata
 *       `dtype` (required), `shape` (JSON array, default 1-D) and `codec` (default none);
 *     list / large_list / fixed_size_list of a numeric type: dtype from the element type,
 *       `shape` from metadata (default 1-D), never compressed.
 * A null cell leaves that field out of that frame.
 * Runs in the decode worker (decode-worker.ts), and apache-arrow only reads a stream that
 * arrow-ipc-check.ts has checked; steps are read exactly (steps.ts).
 */
import {
  tableFromIPC,
  Type,
  type DataType,
  type Field as ArrowField,
  type Table,
  type Vector,
} from 'apache-arrow';
import { isCodec, isDType, type DType } from '@simstream/contracts';
import type { FieldViolation } from '@simstream/errors';
import { checkIpcStream } from './arrow-ipc-check.js';
import { readStep } from './steps.js';
import { invalidUpload, malformedArrow, tooManyFrames } from './upload-error.js';
import type { UploadField, UploadFrame } from './upload-frame.js';

const RESERVED = new Set(['step', 'sim_time', 'attributes', 'simulation_id']);

/** Numeric element types of list columns. */
function elementDtype(type: Type, bitWidth: number, signed: boolean, precision: number): DType | undefined {
  if (type === Type.Float) return precision === 0 ? 'float16' : precision === 1 ? 'float32' : 'float64';
  if (type === Type.Int) return `${signed ? 'int' : 'uint'}${bitWidth}` as DType;
  return undefined;
}

interface ColumnReader {
  readonly name: string;
  read(row: number): UploadField | undefined;
}

function columnReader(
  field: ArrowField,
  vector: Vector,
  violations: FieldViolation[],
): ColumnReader | undefined {
  const where = `body.columns.${field.name}`;
  const meta = field.metadata;
  let shape: number[] | undefined;
  // null when the header's key-value pair has no value (apache-arrow's reading of a bare key).
  const shapeText = meta.get('shape') as string | null | undefined;
  if (shapeText !== undefined) {
    try {
      const parsed: unknown = JSON.parse(String(shapeText));
      if (Array.isArray(parsed) && parsed.every((d) => Number.isSafeInteger(d))) shape = parsed as number[];
    } catch {
      // reported below
    }
    if (shape === undefined) {
      violations.push({
        field: `${where}.metadata.shape`,
        reason: 'SHAPE_INVALID',
        description: `'${String(shapeText).slice(0, 60)}' is not a JSON array of integers`,
      });
      return undefined;
    }
  }
  const typeId = (field.type as DataType).typeId;
  if (typeId === Type.Binary || typeId === Type.LargeBinary || typeId === Type.FixedSizeBinary) {
    const dtype = meta.get('dtype') ?? '';
    const codec = meta.get('codec') ?? 'none';
    if (!isDType(dtype)) {
      violations.push({
        field: `${where}.metadata.dtype`,
        reason: 'DTYPE_UNKNOWN',
        description: `binary columns need metadata dtype (float32, float64, (u)int8..64, float16, bool); got '${dtype.slice(0, 30)}'`,
      });
      return undefined;
    }
    if (!isCodec(codec)) {
      violations.push({
        field: `${where}.metadata.codec`,
        reason: 'CODEC_UNKNOWN',
        description: `codec must be none, deflate or gzip; got '${codec.slice(0, 30)}'`,
      });
      return undefined;
    }
    return {
      name: field.name,
      read(row) {
        const cell = vector.get(row) as Uint8Array | null;
        if (cell === null) return undefined;
        const data = Buffer.from(cell.buffer, cell.byteOffset, cell.byteLength);
        return {
          name: field.name,
          dtype,
          codec,
          shape: shape ?? [elementsOf(data, dtype)],
          data,
        };
      },
    };
  }
  if (typeId === Type.List || typeId === Type.LargeList || typeId === Type.FixedSizeList) {
    const child = (field.type as { children: ArrowField[] }).children[0]!.type as {
      typeId: Type;
      bitWidth?: number;
      isSigned?: boolean;
      precision?: number;
    };
    const dtype = elementDtype(
      child.typeId,
      child.bitWidth ?? 0,
      child.isSigned ?? false,
      child.precision ?? -1,
    );
    if (dtype === undefined || !isDType(dtype)) {
      violations.push({
        field: where,
        reason: 'COLUMN_TYPE_UNSUPPORTED',
        description: `list elements must be integers or floats, not ${String(field.type)}`,
      });
      return undefined;
    }
    return {
      name: field.name,
      read(row) {
        const cell = vector.get(row) as Vector | null;
        if (cell === null) return undefined;
        const values = cell.toArray() as ArrayLike<unknown> & ArrayBufferView;
        const data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
        return { name: field.name, dtype, codec: 'none', shape: shape ?? [values.length], data };
      },
    };
  }
  violations.push({
    field: where,
    reason: 'COLUMN_TYPE_UNSUPPORTED',
    description: `field columns are binary or lists of numbers, not ${String(field.type)}`,
  });
  return undefined;
}

function elementsOf(data: Buffer, dtype: DType): number {
  const size =
    { float16: 2, int16: 2, uint16: 2, float32: 4, int32: 4, uint32: 4, float64: 8, int64: 8, uint64: 8 }[
      dtype as string
    ] ?? 1;
  return Math.floor(data.length / size);
}

function numberAt(vector: Vector, row: number): number | undefined {
  const value: unknown = vector.get(row);
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' ? value : undefined;
}

function integerAt(vector: Vector, row: number): bigint | number | undefined {
  const value: unknown = vector.get(row);
  return typeof value === 'bigint' || typeof value === 'number' ? value : undefined;
}

function decodeTable(body: Buffer, maxFrames: number): Table {
  checkIpcStream(body, maxFrames, () => tooManyFrames(maxFrames));
  try {
    const table = tableFromIPC(body);
    if (table.schema.fields.length === 0) throw new Error('no schema message');
    return table;
  } catch (error) {
    throw malformedArrow(error instanceof Error ? error.message.slice(0, 200) : String(error));
  }
}

export function arrowFrames(body: Buffer, maxFrames: number): UploadFrame[] {
  const table = decodeTable(body, maxFrames);
  const violations: FieldViolation[] = [];
  const column = (name: string): Vector<DataType> | undefined => table.getChild(name) ?? undefined;
  const step = column('step');
  const simTime = column('sim_time');
  const attributes = column('attributes');
  const simulationId = column('simulation_id');
  if (step === undefined || !(step.type.typeId === Type.Int))
    violations.push({
      field: 'body.columns.step',
      reason: 'COLUMN_MISSING',
      description: 'an integer column named step is required',
    });
  if (simTime === undefined || !(simTime.type.typeId === Type.Float || simTime.type.typeId === Type.Int))
    violations.push({
      field: 'body.columns.sim_time',
      reason: 'COLUMN_MISSING',
      description: 'a float column named sim_time is required',
    });
  if (attributes !== undefined && attributes.type.typeId !== Type.Utf8)
    violations.push({
      field: 'body.columns.attributes',
      reason: 'COLUMN_TYPE_UNSUPPORTED',
      description: 'attributes must be utf8 (a JSON object per row)',
    });
  const readers = table.schema.fields
    .filter((f) => !RESERVED.has(f.name))
    .map((f) => columnReader(f, table.getChild(f.name)!, violations))
    .filter((r): r is ColumnReader => r !== undefined);
  if (violations.length > 0) throw invalidUpload(violations);
  if (readers.length === 0)
    throw invalidUpload([
      {
        field: 'body.columns',
        reason: 'FIELDS_EMPTY',
        description: 'no field columns besides step, sim_time, attributes',
      },
    ]);

  const frames: UploadFrame[] = [];
  for (let row = 0; row < table.numRows; row++) {
    const stepValue = readStep(integerAt(step!, row), `body.rows[${row}].step`);
    const time = numberAt(simTime!, row);
    if ('violation' in stepValue) violations.push(stepValue.violation);
    if (time === undefined)
      violations.push({
        field: `body.rows[${row}].sim_time`,
        reason: 'SIM_TIME_INVALID',
        description: 'sim_time is null',
      });
    let attrs: Record<string, string> = {};
    const text = attributes?.get(row) as string | null | undefined;
    if (text != null) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (
          typeof parsed !== 'object' ||
          parsed === null ||
          Array.isArray(parsed) ||
          !Object.values(parsed).every((v) => typeof v === 'string')
        )
          throw new Error('not an object of strings');
        attrs = parsed as Record<string, string>;
      } catch {
        violations.push({
          field: `body.rows[${row}].attributes`,
          reason: 'ATTRIBUTES_INVALID',
          description: 'attributes must be a JSON object of strings',
        });
      }
    }
    const id = simulationId?.get(row) as string | null | undefined;
    frames.push({
      step: 'step' in stepValue ? stepValue.step : -1,
      simTime: time ?? NaN,
      attributes: attrs,
      fields: readers.map((r) => r.read(row)).filter((f): f is UploadField => f !== undefined),
      ...(id == null ? {} : { simulationId: id }),
    });
    if (violations.length >= 100) break;
  }
  if (violations.length > 0) throw invalidUpload(violations);
  return frames;
}
