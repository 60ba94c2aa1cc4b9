/**
 * Element types and codecs of frame arrays, with their sizes and the mapping between the
 * protobuf enum names (DTYPE_FLOAT32) and the Avro/wire names (float32).
 */

export const DTYPES = [
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float16',
  'bool',
] as const;
export type DType = (typeof DTYPES)[number];

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float16: 2,
  bool: 1,
};

export const CODECS = ['none', 'deflate', 'gzip'] as const;
export type Codec = (typeof CODECS)[number];

export function isDType(value: string): value is DType {
  return (DTYPES as readonly string[]).includes(value);
}

export function isCodec(value: string): value is Codec {
  return (CODECS as readonly string[]).includes(value);
}

/** DTYPE_FLOAT32 → float32; undefined for DTYPE_UNSPECIFIED or an unknown name. */
export function dtypeFromProto(name: string): DType | undefined {
  if (!name.startsWith('DTYPE_')) return undefined;
  const wire = name.slice(6).toLowerCase();
  return isDType(wire) ? wire : undefined;
}

export function dtypeToProto(dtype: DType): string {
  return `DTYPE_${dtype.toUpperCase()}`;
}

/** CODEC_DEFLATE → deflate. */
export function codecFromProto(name: string): Codec | undefined {
  if (!name.startsWith('CODEC_')) return undefined;
  const wire = name.slice(6).toLowerCase();
  return isCodec(wire) ? wire : undefined;
}

export function codecToProto(codec: Codec): string {
  return `CODEC_${codec.toUpperCase()}`;
}
