/**
 * The records of one partition of a @platformatic/kafka fetch response as our ConsumedMessage:
 * record batches unpacked, records before the fetch position (a compressed batch can start
 * before it) and transaction markers left out, and for read_committed the records of aborted
 * transactions dropped with the response's aborted-transaction list (read-committed.ts).
 */
import type { Consumer } from '@platformatic/kafka';
import { IS_CONTROL, IS_TRANSACTIONAL } from '@platformatic/kafka';
import type { ConsumedMessage } from '../consumer-transport.js';
import { committedRecords, isAbortMarkerKey, type FetchedRecord } from '../read-committed.js';

type FetchResponse = Awaited<ReturnType<Consumer<Buffer, Buffer, Buffer, Buffer>['fetch']>>;
export type FetchedPartitionData = FetchResponse['responses'][number]['partitions'][number];

type Fetched = Omit<FetchedRecord, 'offset'> & { readonly offset: bigint; readonly message: ConsumedMessage };

/** The messages to hand out, and `end`: the next offset once past everything fetched. */
export function messagesOf(
  data: FetchedPartitionData,
  from: bigint,
  readUncommitted: boolean,
): { messages: ConsumedMessage[]; end: bigint } {
  const records: Fetched[] = [];
  let end = from;
  for (const batch of data.records ?? []) {
    const batchEnd = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (batchEnd > end) end = batchEnd;
    const control = (batch.attributes & IS_CONTROL) !== 0;
    const inTransaction = (batch.attributes & IS_TRANSACTIONAL) !== 0;
    for (const r of batch.records) {
      const offset = batch.firstOffset + BigInt(r.offsetDelta);
      if (offset < from) continue;
      const headers: Record<string, Buffer | undefined> = {};
      for (const [name, value] of r.headers) if (name !== null) headers[name.toString()] = value ?? undefined;
      records.push({
        offset,
        producerId: batch.producerId,
        inTransaction,
        control,
        abortMarker: control && isAbortMarkerKey(r.key),
        message: {
          offset: Number(offset),
          key: r.key,
          value: r.value,
          timestamp: Number(batch.firstTimestamp + r.timestampDelta),
          headers,
        },
      });
    }
  }
  const kept = readUncommitted
    ? records.filter((r) => !r.control)
    : committedRecords(records, data.abortedTransactions);
  return { messages: kept.map((r) => r.message), end };
}
