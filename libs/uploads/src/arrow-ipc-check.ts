/**
 * Checks an Arrow IPC stream before apache-arrow reads it: message framing, the flatbuffer
 * headers (bounds-checked), one schema of supported column types, then record batches whose
 * field nodes and buffers match the schema's layout, whose buffers lie inside the body, whose
 * node lengths the buffers can hold, and whose offsets run forward inside their data. What
 * passes is a stream apache-arrow reads in time proportional to its bytes; the rows it holds
 * are counted against `maxRows` before any are built.
 */
import { FlatTable } from './flatbuffer-reader.js';
import { malformedArrow } from './upload-error.js';
import { checkBatch, checkMetadata, columnsOf, type Column } from './arrow-layout.js';

const CONTINUATION = 0xffffffff;
const HEADER_SCHEMA = 1;
const HEADER_RECORD_BATCH = 3;
const MIN_METADATA_VERSION = 3; // V4: what every Arrow writer of the last years emits

export interface IpcSummary {
  readonly rows: number;
  readonly batches: number;
}

/** Throws MALFORMED_ARROW for anything apache-arrow should not be given; counts rows. */
export function checkIpcStream(body: Uint8Array, maxRows: number, onTooManyRows: () => Error): IpcSummary {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let pos = 0;
  let columns: Column[] | undefined;
  let rows = 0;
  let batches = 0;
  while (pos + 4 <= body.length) {
    let length = view.getUint32(pos, true);
    pos += 4;
    if (length === CONTINUATION) {
      if (pos + 4 > body.length) throw malformedArrow(`truncated message length at byte ${pos}`);
      length = view.getUint32(pos, true);
      pos += 4;
    }
    if (length === 0) break; // end of stream
    if (length > body.length - pos)
      throw malformedArrow(
        `message at byte ${pos} declares ${length} bytes of metadata; ${body.length - pos} are left`,
      );
    const message = FlatTable.root(body.subarray(pos, pos + length));
    pos += length;
    if (message.int16(0) < MIN_METADATA_VERSION) throw malformedArrow('metadata version before V4');
    const bodyLength = message.int64(3);
    if (bodyLength < 0n || bodyLength > BigInt(body.length - pos))
      throw malformedArrow(
        `message body of ${bodyLength} bytes at byte ${pos}; ${body.length - pos} are left`,
      );
    checkMetadata(message, 4);
    const header = message.table(2);
    const type = message.uint8(1);
    if (header === undefined) throw malformedArrow(`message at byte ${pos} has no header`);
    if (columns === undefined) {
      if (type !== HEADER_SCHEMA) throw malformedArrow('the stream does not start with a schema');
      if (header.int16(0) !== 0) throw malformedArrow('big-endian streams are not supported');
      checkMetadata(header, 2);
      header.vector(3, 8); // features
      columns = columnsOf(header.tables(1));
    } else if (type === HEADER_RECORD_BATCH) {
      const batchRows = checkBatch(header, columns, body, pos, Number(bodyLength));
      rows += batchRows;
      batches++;
      if (rows > maxRows) throw onTooManyRows();
    } else {
      throw malformedArrow(`message type ${type} after the schema (record batches only; no dictionaries)`);
    }
    pos += Number(bodyLength);
  }
  if (columns === undefined) throw malformedArrow('no schema message');
  return { rows, batches };
}
