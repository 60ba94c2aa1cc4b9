/**
 * @simstream/contracts: the one place our wire formats are defined and checked.
 */
export { crc64Avro, fingerprintBytes } from './avro/crc64-avro.js';
export {
  AvroDecodeError,
  SINGLE_OBJECT_HEADER_BYTES,
  SINGLE_OBJECT_MAGIC,
  readFingerprint,
} from './avro/single-object.js';
export { SchemaRegistry, type AvroSchema, type Decoded } from './avro/registry.js';
export { RecordName, SCHEMA_FILES, createRegistry, loadSchema, schemaRegistry } from './avro/schemas.js';
export * from './dtype.js';
export type * from './records.js';
export * from './frame-validation.js';
export * from './field-data.js';
export * from './grpc.js';
export type * from './proto-types.js';
export type * as pb from './generated/simstream/v1/index.js';
