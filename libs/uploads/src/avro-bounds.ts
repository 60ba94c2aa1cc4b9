/**
 * A bounds pass over Avro binary data driven by the writer's schema, run before avsc decodes a
 * record: every array/map block count is checked against the bytes left (each item takes at
 * least one byte: schemas whose array items can take none are refused), every length against
 * the end, every union index against the branches, and nesting against a depth limit. After it,
 * avsc's decoder (which loops on counts it never checks) meets only counts the bytes hold, so a
 * record costs time in proportion to its bytes.
 */
import type avro from 'avsc';
import { malformedAvro } from './upload-error.js';
import { readBigLong, readBounded, readLong } from './avro-varint.js';

const MAX_DEPTH = 32;
/** Frames need ~20 schema nodes; a cap keeps the work per byte of data small. */
export const MAX_SCHEMA_NODES = 256;

interface Node {
  readonly typeName: string;
  getTypes?(): Node[];
  getItemsType?(): Node;
  getValuesType?(): Node;
  getFields?(): { getType(): Node }[];
  getSize?(): number;
}

const FIXED_WIDTH: Record<string, number> = { null: 0, boolean: 1, float: 4, double: 8 };

/** The fewest bytes a value of `type` can take; throws for schemas we refuse. */
export function minimumBytes(type: avro.Type): number {
  const memo = new Map<Node, number>();
  let nodes = 0;
  const visit = (t: Node): number => {
    const known = memo.get(t);
    if (known !== undefined) return known;
    if (++nodes > MAX_SCHEMA_NODES) throw malformedAvro(`its schema has more than ${MAX_SCHEMA_NODES} types`);
    memo.set(t, 0); // a recursive reference counts 0 while its record is being measured
    let size: number;
    const name = t.typeName;
    if (name in FIXED_WIDTH) size = FIXED_WIDTH[name]!;
    else if (name === 'fixed') size = t.getSize!();
    else if (name === 'record' || name === 'error')
      size = t.getFields!().reduce((sum, f) => sum + visit(f.getType()), 0);
    else if (name === 'array') {
      if (visit(t.getItemsType!()) < 1)
        throw malformedAvro('its schema has an array of items that take no bytes (null, empty records)');
      size = 1;
    } else if (name === 'map') {
      visit(t.getValuesType!());
      size = 1;
    } else if (name.startsWith('union')) {
      for (const branch of t.getTypes!()) visit(branch);
      size = 1;
    } else size = 1; // int, long, enum, string, bytes: one varint byte at least
    memo.set(t, size);
    return size;
  };
  return visit(type);
}

/** The offset after one value of `type` at `pos`; throws MALFORMED_AVRO when it cannot fit. */
export function skipChecked(type: avro.Type, buf: Uint8Array, pos: number, end: number): number {
  const walk = (t: Node, at: number, depth: number): number => {
    if (depth > MAX_DEPTH) throw malformedAvro(`values nest deeper than ${MAX_DEPTH} at byte ${at}`);
    const name = t.typeName;
    const need = (bytes: number): number => {
      if (at + bytes > end) throw malformedAvro(`a ${name} at byte ${at} is truncated`);
      return at + bytes;
    };
    switch (name) {
      case 'null':
        return at;
      case 'boolean':
      case 'float':
      case 'double':
        return need(FIXED_WIDTH[name]!);
      case 'fixed':
        return need(t.getSize!());
      case 'int':
      case 'long':
      case 'enum':
        // Any 64-bit value: steps past 2^53 must reach the step check, not die here.
        return readBigLong(buf, at, end, name).next;
      case 'string':
      case 'bytes': {
        const length = readBounded(buf, at, end, 1, `${name} length`);
        return length.next + length.value;
      }
      case 'record':
      case 'error':
        for (const field of t.getFields!()) at = walk(field.getType(), at, depth + 1);
        return at;
      case 'array':
      case 'map':
        for (;;) {
          const block = readLong(buf, at, end, `${name} block count`);
          at = block.next;
          if (block.value === 0) return at;
          if (block.value < 0) at = readBounded(buf, at, end, 1, `${name} block size`).next;
          const count = Math.abs(block.value);
          if (count > end - at)
            throw malformedAvro(`${name} block at byte ${at} counts ${count} items in ${end - at} bytes`);
          for (let i = 0; i < count; i++) {
            if (name === 'map') at = walk({ typeName: 'string' }, at, depth + 1);
            at = walk(name === 'map' ? t.getValuesType!() : t.getItemsType!(), at, depth + 1);
          }
        }
      default: {
        if (!name.startsWith('union')) throw malformedAvro(`its schema uses ${name}, which uploads do not`);
        const branches = t.getTypes!();
        const index = readLong(buf, at, end, 'union index');
        const branch = branches[index.value];
        if (branch === undefined)
          throw malformedAvro(`union index ${index.value} at byte ${at} is out of range`);
        return walk(branch, index.next, depth + 1);
      }
    }
  };
  return walk(type, pos, 0);
}
