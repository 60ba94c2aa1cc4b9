import { describe, expect, it } from 'vitest';
import { committedRecords, isAbortMarkerKey, type FetchedRecord } from './read-committed.js';

const data = (offset: number, producerId: number, inTransaction = true): FetchedRecord => ({
  offset: BigInt(offset),
  producerId: BigInt(producerId),
  inTransaction,
  control: false,
  abortMarker: false,
});
const marker = (offset: number, producerId: number, abort: boolean): FetchedRecord => ({
  offset: BigInt(offset),
  producerId: BigInt(producerId),
  inTransaction: true,
  control: true,
  abortMarker: abort,
});
const offsets = (records: readonly FetchedRecord[]) => records.map((r) => Number(r.offset));

describe('committedRecords', () => {
  it('drops transactions aborted in another order than they began (the broker lists them by abort)', () => {
    const records = [
      data(60, 1053),
      data(61, 1055),
      marker(62, 1055, true),
      marker(63, 1053, true),
      data(64, 1055),
    ];
    const aborted = [
      { producerId: 1055n, firstOffset: 61n },
      { producerId: 1053n, firstOffset: 60n },
    ];
    expect(offsets(committedRecords(records, aborted))).toEqual([64]);
  });

  it('drops an aborted transaction whose marker is not in this fetch', () => {
    const records = [data(0, 7, false), data(1, 8), data(2, 8)];
    expect(offsets(committedRecords(records, [{ producerId: 8n, firstOffset: 1n }]))).toEqual([0]);
  });

  it("keeps a producer's committed transaction between two of its aborted ones", () => {
    const records = [
      data(10, 5),
      marker(11, 5, true),
      data(12, 5),
      marker(13, 5, false),
      data(14, 5),
      marker(15, 5, true),
      data(16, 5, false),
    ];
    const aborted = [
      { producerId: 5n, firstOffset: 10n },
      { producerId: 5n, firstOffset: 14n },
    ];
    expect(offsets(committedRecords(records, aborted))).toEqual([12, 16]);
    expect(offsets(committedRecords(records, null))).toEqual([10, 12, 14, 16]);
  });

  it('tells abort markers from commit markers by their key', () => {
    expect(isAbortMarkerKey(Buffer.from([0, 0, 0, 0]))).toBe(true);
    expect(isAbortMarkerKey(Buffer.from([0, 0, 0, 1]))).toBe(false);
    expect(isAbortMarkerKey(null)).toBe(false);
  });
});
