import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { filterAbortedMessages, readCommittedFixed } from './kafkajs-read-committed.js';

const data = (offset: number, producerId: string) => ({
  offset: String(offset),
  key: Buffer.from('sim'),
  batchContext: { producerId, inTransaction: true },
});
const abortMarker = (offset: number, producerId: string) => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, 0]),
  batchContext: { producerId, inTransaction: true },
});

/** kafkajs's own filter, evaluated from its source (require.cache holds ours). */
function kafkajsOriginal(): typeof filterAbortedMessages {
  const require = createRequire(import.meta.url);
  const path = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
  const module = { exports: undefined as unknown };
  const load = runInThisContext(`(function (require, module) {${readFileSync(path, 'utf8')}\n})`) as (
    r: NodeJS.Require,
    m: { exports: unknown },
  ) => void;
  load(createRequire(path), module);
  return module.exports as typeof filterAbortedMessages;
}

describe("kafkajs's read_committed filter, fixed", () => {
  it('is installed (this package is loaded before kafkajs)', () => {
    expect(readCommittedFixed).toBe(true);
  });

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
    // kafkajs 2.2.4's own filter hands out the aborted record at 60:
    const original = kafkajsOriginal()({
      messages,
      abortedTransactions: [
        { producerId: '1055', firstOffset: '61' },
        { producerId: '1053', firstOffset: '60' },
      ],
    });
    expect(original.map((m) => m.offset)).toEqual(['60', '62', '63', '64']);
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
