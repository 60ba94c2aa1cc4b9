/**
 * A frame as Kafka records: one Avro Frame record when its encoding fits the topic's message
 * limit, otherwise FrameChunk records of `chunkBytes` each (same key, so same partition, in
 * index order), written in one transaction by the caller. Pure: no I/O.
 */
import zlib from 'node:zlib';
import { RecordName, type Frame, type FrameChunk, type SchemaRegistry } from '@simstream/contracts';
import { Header } from './headers.js';
import type { OutRecord } from './producer.js';

export interface FramingOptions {
  readonly topic: string;
  /** Frames whose encoding is larger than this are chunked. */
  readonly maxRecordBytes: number;
  readonly chunkBytes: number;
}

/** Upper bound of a frame's encoding beyond its array bytes (ids, shapes, attributes). */
export function frameSizeHint(frame: Frame): number {
  let size = 256 + frame.frameId.length + frame.simulationId.length;
  for (const field of frame.fields)
    size += field.data.length + field.name.length + 16 + field.shape.length * 10;
  for (const [k, v] of Object.entries(frame.attributes)) size += k.length + v.length + 10;
  return size;
}

export function frameRecords(registry: SchemaRegistry, frame: Frame, options: FramingOptions): OutRecord[] {
  const encoded = registry.encode(RecordName.Frame, frame, frameSizeHint(frame));
  const base = { [Header.frameId]: frame.frameId, [Header.step]: String(frame.step) };
  if (encoded.length <= options.maxRecordBytes) {
    return [
      {
        topic: options.topic,
        key: frame.simulationId,
        value: encoded,
        headers: { ...base, [Header.record]: RecordName.Frame },
      },
    ];
  }
  const count = Math.ceil(encoded.length / options.chunkBytes);
  const records: OutRecord[] = [];
  for (let index = 0; index < count; index++) {
    const data = encoded.subarray(
      index * options.chunkBytes,
      Math.min(encoded.length, (index + 1) * options.chunkBytes),
    );
    const chunk: FrameChunk = {
      frameId: frame.frameId,
      simulationId: frame.simulationId,
      step: frame.step,
      index,
      count,
      totalBytes: encoded.length,
      crc32: zlib.crc32(data),
      data,
    };
    records.push({
      topic: options.topic,
      key: frame.simulationId,
      value: registry.encode(RecordName.FrameChunk, chunk, data.length + 128),
      headers: { ...base, [Header.record]: RecordName.FrameChunk, [Header.chunk]: `${index}/${count}` },
    });
  }
  return records;
}
