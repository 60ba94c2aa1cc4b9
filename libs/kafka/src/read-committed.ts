/**
 * Dropping the records of aborted transactions from a read_committed fetch, for transports whose
 * client library gets it wrong. @platformatic/kafka 2.12.1 filters with one range per producer
 * (the producer's last listed aborted transaction up to its last abort marker in the fetch) and
 * keeps everything of a transaction whose abort marker is not in the same fetch ("open range,
 * ignored for safety"): a large aborted transaction — a chunked frame of a crashed writer, more
 * than one fetch of data — is handed out, and so is the earlier of two aborted transactions of
 * one producer in a fetch. It never drops a committed record, so filtering again here is enough.
 *
 * The broker sends, with each partition's records, the aborted transactions (producer id, first
 * offset) that overlap them, in the order they were *aborted*. A record is aborted when its
 * producer has an aborted transaction begun at or before it and not yet ended by that producer's
 * abort marker; no marker needs to be in sight to drop a record. The list is sorted by first
 * offset and every transaction begun by a record's offset is stepped into: when two producers'
 * transactions were aborted in another order than they began (what a crashed instance's fenced
 * transactions look like), taking the list in its own order would let the earlier one's records
 * through (kafkajs 2.2.4's bug; patches/kafkajs@2.2.4.patch).
 */

export interface FetchedRecord {
  readonly offset: bigint;
  readonly producerId: bigint;
  /** The record's batch is transactional. */
  readonly inTransaction: boolean;
  /** A control record (transaction marker). */
  readonly control: boolean;
  /** The control record is an abort marker (key: version 0, type 0). */
  readonly abortMarker: boolean;
}

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** The data records (no markers) that took part in no aborted transaction, in order. */
export function committedRecords<R extends FetchedRecord>(
  records: readonly R[],
  aborted: readonly AbortedTransaction[] | null | undefined,
): R[] {
  const pending = [...(aborted ?? [])].sort((a, b) =>
    a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
  );
  const open = new Set<bigint>();
  let next = 0;
  const kept: R[] = [];
  for (const record of records) {
    while (next < pending.length && record.offset >= pending[next]!.firstOffset) {
      open.add(pending[next]!.producerId);
      next++;
    }
    if (record.control) {
      // The transaction is over: this producer's later records count again.
      if (record.abortMarker) open.delete(record.producerId);
      continue;
    }
    if (record.inTransaction && open.has(record.producerId)) continue;
    kept.push(record);
  }
  return kept;
}

/** True for the key of an abort marker (control record version 0, type 0 = ABORT). */
export function isAbortMarkerKey(key: Buffer | null | undefined): boolean {
  return key != null && key.length >= 4 && key.readInt16BE(2) === 0;
}
