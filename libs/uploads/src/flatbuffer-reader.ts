/**
 * A flatbuffer table reader that checks every offset against the buffer it reads from. Arrow
 * IPC message headers are flatbuffers; apache-arrow reads them without bounds (an offset past
 * the end reads as 0 or garbage), so arrow-ipc-check.ts reads them with this first.
 */
import { malformedArrow } from './upload-error.js';

export class FlatTable {
  private constructor(
    private readonly view: DataView,
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
  ) {}

  /** The root table of the flatbuffer in `bytes`. */
  static root(bytes: Uint8Array): FlatTable {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return FlatTable.at(view, uoffset(view, 0));
  }

  private static at(view: DataView, pos: number): FlatTable {
    const vtable = pos - int32(view, pos);
    const vtableSize = uint16(view, vtable);
    if (vtableSize < 4 || vtableSize % 2 !== 0 || vtable + vtableSize > view.byteLength)
      throw malformedArrow(`flatbuffer vtable at ${vtable} is malformed`);
    return new FlatTable(view, pos, vtable, vtableSize);
  }

  /** Absolute position of field `index`, or undefined when absent. */
  private field(index: number): number | undefined {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.vtableSize) return undefined;
    const offset = uint16(this.view, this.vtable + slot);
    return offset === 0 ? undefined : this.pos + offset;
  }

  uint8(index: number, fallback = 0): number {
    const at = this.field(index);
    return at === undefined ? fallback : (check(this.view, at, 1), this.view.getUint8(at));
  }

  int16(index: number, fallback = 0): number {
    const at = this.field(index);
    return at === undefined ? fallback : (check(this.view, at, 2), this.view.getInt16(at, true));
  }

  int32(index: number, fallback = 0): number {
    const at = this.field(index);
    return at === undefined ? fallback : int32(this.view, at);
  }

  int64(index: number, fallback = 0n): bigint {
    const at = this.field(index);
    return at === undefined ? fallback : (check(this.view, at, 8), this.view.getBigInt64(at, true));
  }

  has(index: number): boolean {
    return this.field(index) !== undefined;
  }

  table(index: number): FlatTable | undefined {
    const at = this.field(index);
    return at === undefined ? undefined : FlatTable.at(this.view, at + uoffset(this.view, at));
  }

  /** A vector of `elementBytes`-wide elements: where its elements start and how many. */
  vector(index: number, elementBytes: number): { start: number; length: number } | undefined {
    const at = this.field(index);
    if (at === undefined) return undefined;
    const start = at + uoffset(this.view, at);
    const length = uint32(this.view, start);
    check(this.view, start + 4, length * elementBytes);
    return { start: start + 4, length };
  }

  /** A vector of tables. */
  tables(index: number): FlatTable[] {
    const v = this.vector(index, 4);
    if (v === undefined) return [];
    const out: FlatTable[] = [];
    for (let i = 0; i < v.length; i++) {
      const at = v.start + 4 * i;
      out.push(FlatTable.at(this.view, at + uoffset(this.view, at)));
    }
    return out;
  }

  /** Little-endian int64 at an absolute position (struct members of vectors). */
  int64At(pos: number): bigint {
    check(this.view, pos, 8);
    return this.view.getBigInt64(pos, true);
  }
}

function check(view: DataView, pos: number, bytes: number): void {
  if (!Number.isSafeInteger(pos) || pos < 0 || bytes < 0 || pos + bytes > view.byteLength)
    throw malformedArrow(
      `flatbuffer read of ${bytes} bytes at ${pos} is outside its ${view.byteLength} bytes`,
    );
}

function uint16(view: DataView, pos: number): number {
  check(view, pos, 2);
  return view.getUint16(pos, true);
}

function int32(view: DataView, pos: number): number {
  check(view, pos, 4);
  return view.getInt32(pos, true);
}

function uint32(view: DataView, pos: number): number {
  check(view, pos, 4);
  return view.getUint32(pos, true);
}

function uoffset(view: DataView, pos: number): number {
  const offset = uint32(view, pos);
  if (offset === 0) throw malformedArrow(`flatbuffer offset at ${pos} is 0`);
  return offset;
}
