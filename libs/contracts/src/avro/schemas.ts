/**
 * Our Avro schemas (the .avsc files in this package's avro/ folder, the only copy) and the
 * registry that knows all their versions. Add a version by adding a file and appending it to
 * its record's list: older files stay, so old messages keep decoding.
 */
import { readFileSync } from 'node:fs';
import { SchemaRegistry, type AvroSchema } from './registry.js';

export const RecordName = {
  Frame: 'io.simstream.v1.Frame',
  FrameChunk: 'io.simstream.v1.FrameChunk',
  Progress: 'io.simstream.v1.Progress',
  NeuromorphicResult: 'io.simstream.v1.NeuromorphicResult',
  QuantumResult: 'io.simstream.v1.QuantumResult',
  QuantumJob: 'io.simstream.v1.QuantumJob',
} as const;
export type RecordName = (typeof RecordName)[keyof typeof RecordName];

/** Schema files per record, oldest first; the last is the current version. */
export const SCHEMA_FILES: Readonly<Record<RecordName, readonly string[]>> = {
  [RecordName.Frame]: ['frame.v1.avsc', 'frame.v2.avsc'],
  [RecordName.FrameChunk]: ['frame-chunk.v1.avsc'],
  [RecordName.Progress]: ['progress.v1.avsc'],
  [RecordName.NeuromorphicResult]: ['neuromorphic-result.v1.avsc'],
  [RecordName.QuantumResult]: ['quantum-result.v1.avsc'],
  [RecordName.QuantumJob]: ['quantum-job.v1.avsc'],
};

const AVRO_DIR = new URL('../../avro/', import.meta.url);

/** Reads one of our .avsc files. */
export function loadSchema(file: string): AvroSchema {
  return JSON.parse(readFileSync(new URL(file, AVRO_DIR), 'utf8')) as AvroSchema;
}

/** A registry holding every version of every schema of ours. */
export function createRegistry(): SchemaRegistry {
  const registry = new SchemaRegistry();
  for (const files of Object.values(SCHEMA_FILES)) {
    for (const file of files) registry.register(loadSchema(file));
  }
  return registry;
}

let shared: SchemaRegistry | undefined;

/** One registry per process, built on first use (schemas never change while running). */
export function schemaRegistry(): SchemaRegistry {
  shared ??= createRegistry();
  return shared;
}
