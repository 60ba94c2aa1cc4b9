/**
 * A correctness fix for kafkajs's read_committed consumers: they could hand out records of
 * aborted transactions.
 *
 * kafkajs drops aborted records client-side (consumer/filterAbortedMessages.js) with the list of
 * aborted transactions the broker sends with each fetch. It assumes that list is ordered by the
 * transactions' first offsets and steps into at most one aborted transaction per record. Kafka
 * lists them in the order they were *aborted*. When two writers' transactions in one partition are
 * aborted in the other order than they began — what happens when a crashed instance's open
 * transactions are fenced one by one as their simulations reconnect — kafkajs lets the earlier
 * one's records through. Seen in CI: after a kill -9 of ingestion, a progress record of an aborted
 * transaction reached the progress table, a reconnecting stream was told that step was durable,
 * and the client skipped the frame (the frame itself, in another partition, was filtered right).
 *
 * This module replaces that filter with one that sorts the list and steps into every aborted
 * transaction that has begun at each record. The filter is a module kafkajs's consumer takes at
 * load time, so this must be evaluated before kafkajs: the package index imports it first, and
 * the consumers refuse to start without it (`assertReadCommittedFixed`).
 */
import { Module, createRequire } from 'node:module';
import { SimstreamError } from '@simstream/errors';

const require = createRequire(import.meta.url);

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

export interface FetchedMessage {
  readonly offset: string;
  readonly key: Buffer | null | undefined;
  readonly batchContext: { readonly producerId: string | number; readonly inTransaction: boolean };
}

export interface AbortedTransaction {
  readonly producerId: string | number;
  readonly firstOffset: string | number;
}

/** The messages that did not take part in an aborted transaction (markers are kept). */
export function filterAbortedMessages<M extends FetchedMessage>({
  messages,
  abortedTransactions,
}: {
  messages: M[];
  abortedTransactions?: readonly AbortedTransaction[] | null;
}): M[] {
  if (abortedTransactions == null || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) => {
    const d = BigInt(a.firstOffset) - BigInt(b.firstOffset);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  const aborted = new Set<string>();
  let next = 0;
  return messages.filter((message) => {
    const offset = BigInt(message.offset);
    while (next < pending.length && offset >= BigInt(pending[next]!.firstOffset)) {
      aborted.add(String(pending[next]!.producerId));
      next++;
    }
    const producerId = String(message.batchContext.producerId);
    if (message.key != null && Buffer.from(message.key).equals(ABORT_MARKER_KEY)) {
      aborted.delete(producerId); // the transaction is over: this producer's later records count
      return true;
    }
    return !(message.batchContext.inTransaction && aborted.has(producerId));
  });
}

/** Marks our filter, so another copy of this module (a test runner re-evaluating ESM, two
 * versions of this package) sees it is already in place. */
const MARK = Symbol.for('simstream.kafkajs.readCommittedFilter');

function install(): boolean {
  const path = require.resolve('kafkajs/src/consumer/filterAbortedMessages.js');
  const cached = require.cache[path];
  if (cached !== undefined) return (cached.exports as Record<symbol, unknown> | undefined)?.[MARK] === true;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = Object.assign(filterAbortedMessages.bind(undefined), { [MARK]: true });
  require.cache[path] = module;
  return true;
}

/** True when kafkajs's consumers use the filter above (kafkajs was not loaded before this). */
export const readCommittedFixed = install();

/** Read_committed consumers must not run with kafkajs's own filter: fail loudly instead. */
export function assertReadCommittedFixed(): void {
  if (!readCommittedFixed) {
    throw new SimstreamError(
      'KAFKAJS_LOADED_EARLY',
      'kafkajs was loaded before @simstream/kafka: its read_committed filter can let aborted records through; import @simstream/kafka first',
    );
  }
}
