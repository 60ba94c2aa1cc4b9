/**
 * Reassembly of chunked frames on the consumer side, per partition. The chunks of a frame come
 * in index order from one transaction, possibly interleaved with other records of the
 * partition. It also says how far offsets may be committed: never past the first chunk of a
 * frame still incomplete, so a restart re-reads every chunk of it. Pure: no I/O.
 */
import zlib from 'node:zlib';
import type { FrameChunk } from '@simstream/contracts';

export type ReassemblyResult =
  | { readonly kind: 'pending' }
  | { readonly kind: 'complete'; readonly frameBytes: Buffer; readonly firstOffset: number }
  | {
      readonly kind: 'invalid';
      readonly reason: 'CHUNK_CORRUPT' | 'CHUNK_OUT_OF_ORDER' | 'CHUNK_TOO_LARGE';
      readonly message: string;
      readonly offsets: number[];
    };

interface Assembly {
  readonly frameId: string;
  readonly count: number;
  readonly totalBytes: number;
  readonly parts: Buffer[];
  readonly offsets: number[];
  received: number;
}

export interface ReassemblerOptions {
  /** Largest frame we reassemble (memory bound per frame). */
  readonly maxFrameBytes: number;
}

export class ChunkReassembler {
  /** partition → frameId → assembly (Map keeps insertion order: oldest first). */
  private readonly partitions = new Map<number, Map<string, Assembly>>();

  constructor(private readonly options: ReassemblerOptions) {}

  add(partition: number, offset: number, chunk: FrameChunk): ReassemblyResult {
    let frames = this.partitions.get(partition);
    if (frames === undefined) {
      frames = new Map();
      this.partitions.set(partition, frames);
    }
    if (zlib.crc32(chunk.data) >>> 0 !== chunk.crc32 >>> 0) {
      const broken = frames.get(chunk.frameId);
      frames.delete(chunk.frameId);
      return {
        kind: 'invalid',
        reason: 'CHUNK_CORRUPT',
        message: `chunk ${chunk.index}/${chunk.count} of frame ${chunk.frameId} fails its CRC-32`,
        offsets: [...(broken?.offsets ?? []), offset],
      };
    }
    if (chunk.totalBytes > this.options.maxFrameBytes) {
      return {
        kind: 'invalid',
        reason: 'CHUNK_TOO_LARGE',
        message: `frame ${chunk.frameId} is ${chunk.totalBytes} bytes, above the ${this.options.maxFrameBytes} byte limit`,
        offsets: [offset],
      };
    }
    let assembly = frames.get(chunk.frameId);
    if (chunk.index === 0) {
      // A second copy of a frame (a retried transaction whose first commit succeeded) starts over.
      assembly = {
        frameId: chunk.frameId,
        count: chunk.count,
        totalBytes: chunk.totalBytes,
        parts: [],
        offsets: [],
        received: 0,
      };
      frames.delete(chunk.frameId);
      frames.set(chunk.frameId, assembly);
    }
    if (assembly === undefined || chunk.index !== assembly.parts.length || chunk.count !== assembly.count) {
      frames.delete(chunk.frameId);
      return {
        kind: 'invalid',
        reason: 'CHUNK_OUT_OF_ORDER',
        message: `chunk ${chunk.index}/${chunk.count} of frame ${chunk.frameId} arrived after ${assembly?.parts.length ?? 0} chunks`,
        offsets: [...(assembly?.offsets ?? []), offset],
      };
    }
    assembly.parts.push(chunk.data);
    assembly.offsets.push(offset);
    assembly.received += chunk.data.length;
    if (assembly.parts.length < assembly.count) return { kind: 'pending' };
    frames.delete(chunk.frameId);
    if (assembly.received !== assembly.totalBytes) {
      return {
        kind: 'invalid',
        reason: 'CHUNK_CORRUPT',
        message: `frame ${chunk.frameId} reassembled to ${assembly.received} bytes, expected ${assembly.totalBytes}`,
        offsets: assembly.offsets,
      };
    }
    return {
      kind: 'complete',
      frameBytes: Buffer.concat(assembly.parts, assembly.totalBytes),
      firstOffset: assembly.offsets[0]!,
    };
  }

  /** The offset that may be committed for `partition` once everything before `next` is processed. */
  committable(partition: number, next: number): number {
    const frames = this.partitions.get(partition);
    let safe = next;
    for (const assembly of frames?.values() ?? []) safe = Math.min(safe, assembly.offsets[0] ?? safe);
    return safe;
  }

  /** Bytes held in incomplete frames. */
  pendingBytes(): number {
    let bytes = 0;
    for (const frames of this.partitions.values()) for (const a of frames.values()) bytes += a.received;
    return bytes;
  }

  /** Forgets everything (after a rebalance every partition restarts from its committed offset). */
  reset(): void {
    this.partitions.clear();
  }

  /** Forgets a partition (revoked in a rebalance: its next owner re-reads from the committed offset). */
  dropPartition(partition: number): void {
    this.partitions.delete(partition);
  }
}
