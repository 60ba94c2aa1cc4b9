/**
 * How to react to a Kafka failure: retry until the outage deadline (transient), start a fresh
 * producer and retry (reset: its id or sequence state is no longer valid), or give up (permanent:
 * the request can never succeed as is, or another instance owns our transactional id).
 */
import { SimstreamError, messageOf } from '@simstream/errors';

export type KafkaFailureKind = 'transient' | 'reset' | 'permanent' | 'fenced';

const PERMANENT = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'UNSUPPORTED_VERSION',
  'INVALID_REQUIRED_ACKS',
  'INVALID_TRANSACTION_TIMEOUT',
  'UNSUPPORTED_COMPRESSION_TYPE',
]);

const RESET = new Set([
  'INVALID_PRODUCER_EPOCH',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
  'INVALID_TXN_STATE',
  'DUPLICATE_SEQUENCE_NUMBER',
]);

/** The Kafka protocol error type (e.g. `INVALID_PRODUCER_EPOCH`) inside a kafkajs error, if any. */
export function kafkaErrorType(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // kafkajs wraps protocol errors (KafkaJSNumberOfRetriesExceeded → cause, aggregate errors).
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { type, name, cause, originalError } = current as {
      type?: unknown;
      name?: unknown;
      cause?: unknown;
      originalError?: unknown;
    };
    if (typeof type === 'string') return type;
    if (name === 'KafkaJSSASLAuthenticationError') return 'SASL_AUTHENTICATION_FAILED';
    current = cause ?? originalError;
  }
  return undefined;
}

export function classifyKafkaError(error: unknown): KafkaFailureKind {
  const type = kafkaErrorType(error);
  if (type === 'PRODUCER_FENCED') return 'fenced';
  if (type !== undefined && RESET.has(type)) return 'reset';
  if (type !== undefined && (PERMANENT.has(type) || type === 'SASL_AUTHENTICATION_FAILED'))
    return 'permanent';
  if (/ongoing transaction|Cannot continue to use transaction|already an ongoing/i.test(messageOf(error)))
    return 'reset';
  return 'transient';
}

/** A produce that cannot succeed as sent (message too large, not authorised ...). */
export class KafkaRejectedError extends SimstreamError {
  readonly kafkaType: string | undefined;
  constructor(error: unknown) {
    super('KAFKA_REJECTED', `Kafka refused the records: ${messageOf(error)}`, {
      retriable: false,
      cause: error,
    });
    this.kafkaType = kafkaErrorType(error);
  }
}

/** Another live instance uses our transactional id: this one must stop producing. */
export class ProducerFencedError extends SimstreamError {
  constructor(transactionalId: string, cause: unknown) {
    super(
      'KAFKA_PRODUCER_FENCED',
      `another instance took over transactional id '${transactionalId}'; each instance needs its own (INSTANCE_ID)`,
      { retriable: false, cause },
    );
  }
}
