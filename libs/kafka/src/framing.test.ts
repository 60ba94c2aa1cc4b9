import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RecordName, createRegistry, type Frame, type FrameChunk } from '@simstream/contracts';
import { frameRecords } from './framing.js';
import { ChunkReassembler } from './reassembler.js';
import { Header } from './headers.js';

const registry = createRegistry();

function frame(bytes: number): Frame {
  return {
    frameId: randomUUID(),
    simulationId: 'sim-a',
    step: 7,
    simTime: 0.7,
    fields: [{ name: 'rho', dtype: 'uint8', shape: [bytes], codec: 'none', data: randomBytes(bytes) }],
    attributes: {},
    ingestedAt: Date.now(),
    tenant: 'default',
  };
}

const options = { topic: 't', maxRecordBytes: 64 * 1024, chunkBytes: 16 * 1024 };

function reassemble(
  records: ReturnType<typeof frameRecords>,
  reassembler = new ChunkReassembler({ maxFrameBytes: 1 << 30 }),
  first = 100,
) {
  let out;
  records.forEach((r, i) => {
    out = reassembler.add(0, first + i, registry.decodeAs<FrameChunk>(RecordName.FrameChunk, r.value));
  });
  return out;
}

describe('framing and reassembly', () => {
  it('keeps a frame that fits in one record', () => {
    const f = frame(1000);
    const records = frameRecords(registry, f, options);
    expect(records).toHaveLength(1);
    expect(records[0]!.headers?.[Header.record]).toBe(RecordName.Frame);
    expect(registry.decodeAs<Frame>(RecordName.Frame, records[0]!.value)).toEqual(f);
  });

  it('splits a large frame into chunks that reassemble byte-identical', () => {
    const f = frame(200_000);
    const records = frameRecords(registry, f, options);
    expect(records.length).toBe(Math.ceil(registry.encode(RecordName.Frame, f).length / options.chunkBytes));
    for (const [i, r] of records.entries()) {
      expect(r.key).toBe('sim-a');
      expect(r.headers?.[Header.chunk]).toBe(`${i}/${records.length}`);
      expect(r.value.length).toBeLessThanOrEqual(options.chunkBytes + 200);
    }
    const result = reassemble(records);
    expect(result).toMatchObject({ kind: 'complete', firstOffset: 100 });
    const bytes = (result as unknown as { frameBytes: Buffer }).frameBytes;
    expect(bytes.equals(registry.encode(RecordName.Frame, f))).toBe(true);
    expect(registry.decodeAs<Frame>(RecordName.Frame, bytes)).toEqual(f);
  });

  it('never lets a commit pass the first chunk of an incomplete frame', () => {
    const records = frameRecords(registry, frame(100_000), options);
    const reassembler = new ChunkReassembler({ maxFrameBytes: 1 << 30 });
    const chunk = (i: number) => registry.decodeAs<FrameChunk>(RecordName.FrameChunk, records[i]!.value);
    expect(reassembler.add(3, 50, chunk(0)).kind).toBe('pending');
    expect(reassembler.add(3, 52, chunk(1)).kind).toBe('pending');
    expect(reassembler.committable(3, 60)).toBe(50);
    expect(reassembler.committable(4, 60)).toBe(60);
    expect(reassembler.pendingBytes()).toBe(2 * options.chunkBytes);
    for (let i = 2; i < records.length; i++) reassembler.add(3, 60 + i, chunk(i));
    expect(reassembler.committable(3, 99)).toBe(99);
  });

  it('restarts on a second copy of a frame and reports corrupt or out-of-order chunks', () => {
    const records = frameRecords(registry, frame(100_000), options);
    const chunk = (i: number) => registry.decodeAs<FrameChunk>(RecordName.FrameChunk, records[i]!.value);
    const r = new ChunkReassembler({ maxFrameBytes: 1 << 30 });
    r.add(0, 1, chunk(0));
    r.add(0, 2, chunk(1));
    // A retried transaction writes the frame again from chunk 0.
    expect(reassemble(records, r, 10)).toMatchObject({ kind: 'complete', firstOffset: 10 });

    expect(r.add(0, 20, chunk(1))).toMatchObject({ kind: 'invalid', reason: 'CHUNK_OUT_OF_ORDER' });
    const corrupt = { ...chunk(0), data: Buffer.from(chunk(0).data) };
    corrupt.data[5] = corrupt.data[5]! ^ 0xff;
    expect(r.add(0, 21, corrupt)).toMatchObject({ kind: 'invalid', reason: 'CHUNK_CORRUPT', offsets: [21] });
    const small = new ChunkReassembler({ maxFrameBytes: 1000 });
    expect(small.add(0, 1, chunk(0))).toMatchObject({ kind: 'invalid', reason: 'CHUNK_TOO_LARGE' });
  });
});
