/**
 * The buffer layout of the Arrow column types uploads accept, and the check of one record
 * batch against it: field nodes in depth-first order, each with its buffers (validity, then
 * offsets and/or data), lengths the buffers can hold, offsets that run forward inside their
 * data. Other types (unions, dictionaries, views, run-end encoding, decimals, intervals) are
 * refused: uploads do not need them and each is more layout to get wrong.
 */
import type { FlatTable } from './flatbuffer-reader.js';
import { malformedArrow } from './upload-error.js';

const MAX_COLUMNS = 256;
const MAX_DEPTH = 8;
const MAX_ROWS_PER_BATCH = 2 ** 31 - 1;

export type Column =
  | { readonly kind: 'fixed'; readonly name: string; readonly width: number }
  | { readonly kind: 'bool'; readonly name: string }
  | { readonly kind: 'binary'; readonly name: string; readonly offsetBytes: 4 | 8 }
  | { readonly kind: 'list'; readonly name: string; readonly offsetBytes: 4 | 8; readonly child: Column }
  | { readonly kind: 'fixedList'; readonly name: string; readonly size: number; readonly child: Column }
  | { readonly kind: 'struct'; readonly name: string; readonly children: readonly Column[] };

/** Buffers per node, in IPC order. */
const BUFFERS: Record<Column['kind'], number> = {
  fixed: 2,
  bool: 2,
  binary: 3,
  list: 2,
  fixedList: 1,
  struct: 1,
};

function typeName(field: FlatTable): string {
  return `type id ${field.uint8(2)}`;
}

/** The columns of a Schema message's fields (depth-first), or MALFORMED_ARROW. */
export function columnsOf(fields: readonly FlatTable[]): Column[] {
  let count = 0;
  const column = (field: FlatTable, depth: number): Column => {
    if (++count > MAX_COLUMNS) throw malformedArrow(`more than ${MAX_COLUMNS} columns and children`);
    if (depth > MAX_DEPTH) throw malformedArrow(`columns nest deeper than ${MAX_DEPTH}`);
    if (field.has(4)) throw malformedArrow('dictionary-encoded columns are not supported');
    field.vector(0, 1); // the name
    checkMetadata(field, 6);
    const name = `column ${count}`;
    const type = field.table(3);
    const children = field.tables(5);
    const only = (): Column => {
      if (children.length !== 1) throw malformedArrow(`${name}: a list has exactly one child`);
      return column(children[0]!, depth + 1);
    };
    const fixed = (width: number): Column => {
      if (![1, 2, 4, 8].includes(width)) throw malformedArrow(`${name}: width ${width} bytes`);
      return { kind: 'fixed', name, width };
    };
    switch (field.uint8(2)) {
      case 2: // Int
        return fixed((type?.int32(0) ?? 0) / 8);
      case 3: // FloatingPoint: HALF, SINGLE, DOUBLE
        return fixed([2, 4, 8][type?.int16(0) ?? -1] ?? 0);
      case 8: // Date: DAY (int32), MILLISECOND (int64)
        return fixed(type?.int16(0, 1) === 0 ? 4 : 8);
      case 9: // Time
        return fixed((type?.int32(1, 32) ?? 0) / 8);
      case 10: // Timestamp
      case 18: // Duration
        return fixed(8);
      case 6:
        return { kind: 'bool', name };
      case 4: // Binary
      case 5: // Utf8
        return { kind: 'binary', name, offsetBytes: 4 };
      case 19: // LargeBinary
      case 20: // LargeUtf8
        return { kind: 'binary', name, offsetBytes: 8 };
      case 15: // FixedSizeBinary
        return {
          kind: 'fixed',
          name,
          width: Math.max(0, type?.int32(0) ?? -1) || fail(`${name}: byte width`),
        };
      case 12: // List
      case 17: // Map (a list of entry structs)
        return { kind: 'list', name, offsetBytes: 4, child: only() };
      case 21: // LargeList
        return { kind: 'list', name, offsetBytes: 8, child: only() };
      case 16: {
        const size = type?.int32(0) ?? -1;
        if (size < 1) throw malformedArrow(`${name}: list size ${size}`);
        return { kind: 'fixedList', name, size, child: only() };
      }
      case 13:
        return { kind: 'struct', name, children: children.map((c) => column(c, depth + 1)) };
      default:
        throw malformedArrow(`${name}: ${typeName(field)} is not supported in uploads`);
    }
  };
  return fields.map((f) => column(f, 0));
}

/**
 * A custom_metadata vector of KeyValue tables, and their strings, inside the header: apache-arrow
 * loops over the vector's declared length without looking at the buffer's.
 */
export function checkMetadata(table: FlatTable, index: number): void {
  for (const pair of table.tables(index)) {
    pair.vector(0, 1);
    pair.vector(1, 1);
  }
}

function fail(message: string): never {
  throw malformedArrow(message);
}

function flatten(columns: readonly Column[], out: Column[] = []): Column[] {
  for (const c of columns) {
    out.push(c);
    if (c.kind === 'list' || c.kind === 'fixedList') flatten([c.child], out);
    else if (c.kind === 'struct') flatten(c.children, out);
  }
  return out;
}

interface Region {
  readonly start: number;
  readonly length: number;
}

/** Checks one RecordBatch message against the schema's columns; returns its row count. */
export function checkBatch(
  batch: FlatTable,
  columns: readonly Column[],
  body: Uint8Array,
  bodyStart: number,
  bodyLength: number,
): number {
  const rows = batch.int64(0);
  if (rows < 0n || rows > BigInt(MAX_ROWS_PER_BATCH)) throw malformedArrow(`record batch of ${rows} rows`);
  if (batch.has(3)) throw malformedArrow('compressed record batches are not supported');
  if ((batch.vector(4, 8)?.length ?? 0) > 0)
    throw malformedArrow('variadic buffers (views) are not supported');
  const flat = flatten(columns);
  const nodes = batch.vector(1, 16) ?? { start: 0, length: 0 };
  const buffers = batch.vector(2, 16) ?? { start: 0, length: 0 };
  const wanted = flat.reduce((n, c) => n + BUFFERS[c.kind], 0);
  if (nodes.length !== flat.length || buffers.length !== wanted)
    throw malformedArrow(
      `record batch has ${nodes.length} nodes and ${buffers.length} buffers; the schema needs ${flat.length} and ${wanted}`,
    );
  const nodeAt = (i: number): { length: number; nulls: number } => {
    const length = batch.int64At(nodes.start + 16 * i);
    const nulls = batch.int64At(nodes.start + 16 * i + 8);
    if (length < 0n || length > BigInt(MAX_ROWS_PER_BATCH) || nulls < 0n || nulls > length)
      throw malformedArrow(`field node ${i}: length ${length}, null count ${nulls}`);
    return { length: Number(length), nulls: Number(nulls) };
  };
  let nextBuffer = 0;
  const region = (): Region => {
    const at = buffers.start + 16 * nextBuffer++;
    const offset = batch.int64At(at);
    const length = batch.int64At(at + 8);
    if (offset < 0n || length < 0n || offset + length > BigInt(bodyLength))
      throw malformedArrow(
        `buffer ${nextBuffer - 1} (${offset}+${length}) is outside the ${bodyLength}-byte body`,
      );
    return { start: bodyStart + Number(offset), length: Number(length) };
  };
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const needs = (r: Region, bytes: number, what: string): void => {
    if (r.length < bytes) throw malformedArrow(`${what}: ${bytes} bytes needed, the buffer has ${r.length}`);
  };
  /** Offsets must start ≥ 0, never decrease and end within `limit`. */
  const offsets = (r: Region, count: number, width: 4 | 8, limit: number, what: string): void => {
    if (count === 0) return;
    needs(r, (count + 1) * width, `${what} offsets`);
    let previous = 0;
    for (let i = 0; i <= count; i++) {
      const v =
        width === 4 ? view.getInt32(r.start + 4 * i, true) : Number(view.getBigInt64(r.start + 8 * i, true));
      if (v < previous || v > limit)
        throw malformedArrow(`${what}: offset ${i} is ${v}, outside 0..${limit} or decreasing`);
      previous = v;
    }
  };
  let index = 0;
  const check = (column: Column, minLength: number): void => {
    const node = nodeAt(index++);
    if (node.length < minLength)
      throw malformedArrow(`${column.name}: ${node.length} values, at least ${minLength} needed`);
    const validity = region();
    if (node.nulls > 0) needs(validity, Math.ceil(node.length / 8), `${column.name} validity`);
    switch (column.kind) {
      case 'fixed':
        return needs(region(), node.length * column.width, column.name);
      case 'bool':
        return needs(region(), Math.ceil(node.length / 8), column.name);
      case 'binary': {
        const offs = region();
        offsets(offs, node.length, column.offsetBytes, region().length, column.name);
        return;
      }
      case 'list': {
        const offs = region();
        // The child's node comes next in depth-first order: its length bounds the offsets.
        const childLength = nodeAt(index).length;
        offsets(offs, node.length, column.offsetBytes, childLength, column.name);
        return check(column.child, 0);
      }
      case 'fixedList':
        return check(column.child, node.length * column.size);
      case 'struct':
        for (const child of column.children) check(child, node.length);
        return;
    }
  };
  for (const column of columns) check(column, Number(rows));
  return Number(rows);
}
