/**
 * kafkajs's read_committed filter as patched (patches/kafkajs@2.2.4.patch): the kafkajs consumer
 * transport relies on it. Without the patch the first case fails (kafkajs 2.2.4 keeps offset 60).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Fetched {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}
type Filter = (input: {
  messages: Fetched[];
  abortedTransactions?: { producerId: string; firstOffset: string }[];
}) => Fetched[];

// The module kafkajs's Batch uses, resolved from libs/kafka as kafkajs itself is.
const filterAbortedMessages = createRequire(import.meta.url)(
  'kafkajs/src/consumer/filterAbortedMessages.js',
) as Filter;

const data = (offset: number, producerId: string): Fetched => ({
  offset: String(offset),
  key: Buffer.from('sim'),
  batchContext: { producerId, inTransaction: true },
});
const abortMarker = (offset: number, producerId: string): Fetched => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, 0]),
  batchContext: { producerId, inTransaction: true },
});

describe("kafkajs's read_committed filter, patched", () => {
  // The layout CI found in simstream.progress.v1 after a kill -9 of ingestion: two writers'
  // transactions began at 60 and 61 and were aborted in the other order (markers 62, 63); the
  // broker listed them as aborted in that order. kafkajs's own filter let offset 60 through.
  it('drops records of transactions aborted in another order than they began', () => {
    const messages = [
      data(60, '1053'),
      data(61, '1055'),
      abortMarker(62, '1055'),
      abortMarker(63, '1053'),
      data(64, '1055'),
    ];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [
        { producerId: '1055', firstOffset: '61' },
        { producerId: '1053', firstOffset: '60' },
      ],
    });
    expect(kept.map((m) => m.offset)).toEqual(['62', '63', '64']);
  });

  it('steps into every aborted transaction begun before a record (first records compacted away)', () => {
    const messages = [
      data(70, '7'),
      data(71, '8'),
      abortMarker(72, '7'),
      abortMarker(73, '8'),
      data(74, '7'),
    ];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [
        { producerId: '7', firstOffset: '65' },
        { producerId: '8', firstOffset: '66' },
      ],
    });
    expect(kept.map((m) => m.offset)).toEqual(['72', '73', '74']);
  });

  it('keeps committed records of a producer around its aborted transaction', () => {
    const messages = [data(1, '5'), data(2, '5'), abortMarker(3, '5'), data(4, '5')];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [{ producerId: '5', firstOffset: '2' }],
    });
    expect(kept.map((m) => m.offset)).toEqual(['1', '3', '4']);
    expect(filterAbortedMessages({ messages, abortedTransactions: [] })).toBe(messages);
  });
});
