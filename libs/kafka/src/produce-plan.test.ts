import { describe, expect, it } from 'vitest';
import {
  assignOffsets,
  coalesce,
  groupByTopic,
  planRequests,
  recordBytes,
  partitionLanes,
  splitByPartition,
  type Delivery,
  type OutRecord,
} from './produce-plan.js';

const rec = (
  topic: string,
  partition: number,
  bytes: number,
  coalesceKey?: string,
): OutRecord & { partition: number } => ({
  topic,
  partition,
  key: 'k',
  value: Buffer.alloc(bytes),
  ...(coalesceKey === undefined ? {} : { coalesce: coalesceKey }),
});

describe('produce plan', () => {
  it('writes only the last record of each coalesce key and gives the others its delivery', () => {
    const all = [rec('f', 0, 1), rec('p', 1, 1, 'progress/a'), rec('f', 0, 1), rec('p', 1, 1, 'progress/a')];
    const { records, expand } = coalesce(all);
    expect(records).toEqual([all[0], all[2], all[3]]);
    const d = (offset: number): Delivery => ({ topic: 'x', partition: 0, offset });
    expect(expand([d(10), d(11), d(12)])).toEqual([d(10), d(12), d(11), d(12)]);
  });

  it('passes a batch without coalesce keys through untouched', () => {
    const all = [rec('f', 0, 1), rec('f', 1, 1)];
    const { records, expand } = coalesce(all);
    expect(records).toEqual(all);
    const deliveries = [{ topic: 'f', partition: 0, offset: 1 }];
    expect(expand(deliveries)).toBe(deliveries);
  });

  it('starts a new request when a partition or the request would go over its limit', () => {
    const size = recordBytes(rec('f', 0, 100));
    const records = [
      rec('f', 0, 100),
      rec('f', 1, 100),
      rec('f', 0, 100),
      rec('f', 1, 100),
      rec('f', 2, 100),
    ];
    // Two records fit a partition; three fit a request.
    expect(planRequests(records, () => 2 * size, 3 * size)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(planRequests(records, () => size, 10 * size)).toEqual([
      [0, 1],
      [2, 3, 4],
    ]);
    // A record larger than any limit still goes, alone.
    expect(planRequests([rec('f', 0, 1000), rec('f', 0, 1)], () => size)).toEqual([[0], [1]]);
  });

  it('groups a request by topic and maps base offsets to records in order', () => {
    const records = [rec('f', 0, 1), rec('p', 3, 1), rec('f', 0, 1), rec('f', 1, 1)];
    expect([...groupByTopic([0, 1, 2, 3], records)]).toEqual([
      ['f', [0, 2, 3]],
      ['p', [1]],
    ]);
    const deliveries: Delivery[] = new Array<Delivery>(4);
    assignOffsets(
      [
        { topic: 'f', partition: 0, baseOffset: 40 },
        { topic: 'f', partition: 1, baseOffset: 7 },
        { topic: 'p', partition: 3, baseOffset: 0 },
      ],
      [0, 1, 2, 3],
      records,
      deliveries,
    );
    expect(deliveries.map((d) => d.offset)).toEqual([40, 0, 41, 7]);
  });

  it('refuses a response without an offset for a partition it wrote', () => {
    expect(() =>
      assignOffsets([{ topic: 'f', partition: 0, baseOffset: undefined }], [0], [rec('f', 0, 1)], []),
    ).toThrow(/no offset for f\/0/);
    expect(() =>
      assignOffsets([{ topic: 'f', partition: 0, baseOffset: 1 }], [0], [rec('f', 1, 1)], []),
    ).toThrow(/no offset for f\/1/);
  });

  it('splits a request by partition, keeping order (one broker per send in a transaction)', () => {
    const records = [rec('f', 0, 1), rec('p', 0, 1), rec('f', 0, 1), rec('f', 3, 1), rec('p', 0, 1)];
    expect(splitByPartition([0, 1, 2, 3, 4], records)).toEqual([[0, 2], [1, 4], [3]]);
    expect(splitByPartition([], records)).toEqual([]);
  });

  it('gives each partition a lane of its parts in order, across requests', () => {
    const records = [rec('f', 0, 1), rec('p', 0, 1), rec('f', 0, 1), rec('f', 3, 1)];
    expect(
      partitionLanes(
        [
          [0, 1],
          [2, 3],
        ],
        records,
      ),
    ).toEqual([[[0], [2]], [[1]], [[3]]]);
  });
});
