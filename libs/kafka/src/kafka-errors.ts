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

/**
 * The Kafka protocol error type (e.g. `INVALID_PRODUCER_EPOCH`) of a failure: a transport's
 * KafkaWriteError says it; inside a kafkajs error (admin and consumer paths) it is found here.
 */
export function kafkaErrorType(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  // kafkajs wraps protocol errors (KafkaJSNumberOfRetriesExceeded → cause, aggregate errors).
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof KafkaWriteError || current instanceof KafkaRequestError) return current.kafkaType;
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

/** How to react to a Kafka protocol error type (undefined when there is none: transient). */
export function kindOfKafkaType(type: string | undefined): KafkaFailureKind {
  if (type === 'PRODUCER_FENCED') return 'fenced';
  if (type !== undefined && RESET.has(type)) return 'reset';
  if (type !== undefined && (PERMANENT.has(type) || type === 'SASL_AUTHENTICATION_FAILED'))
    return 'permanent';
  return 'transient';
}

export function classifyKafkaError(error: unknown): KafkaFailureKind {
  const write = writeErrorIn(error);
  if (write !== undefined) return write.kind;
  const kind = kindOfKafkaType(kafkaErrorType(error));
  if (kind !== 'transient') return kind;
  // kafkajs's own transaction state errors: that producer cannot go on.
  if (/ongoing transaction|Cannot continue to use transaction|already an ongoing/i.test(messageOf(error)))
    return 'reset';
  return 'transient';
}

/**
 * A failed call of a producer transport (producer-transport.ts), in our terms: how to react
 * (`kind`) and Kafka's error type if the broker gave one. The library's error is the cause.
 */
export class KafkaWriteError extends SimstreamError {
  constructor(
    readonly kind: KafkaFailureKind,
    readonly kafkaType: string | undefined,
    cause: unknown,
  ) {
    super('KAFKA_WRITE_FAILED', messageOf(cause), { retriable: kind === 'transient', cause });
  }
}

/** The KafkaWriteError an error is, or was caused by (e.g. a failed abort's original error). */
function writeErrorIn(error: unknown): KafkaWriteError | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof KafkaWriteError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
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

/**
 * A failed admin or consumer call of a client library (transports/*), in our terms: whether
 * another attempt may succeed (`retriable`, what retryKafka looks at) and Kafka's error type if
 * the broker gave one. The library's error is the cause.
 */
export class KafkaRequestError extends SimstreamError {
  readonly kafkaType: string | undefined;
  constructor(retriable: boolean, kafkaType: string | undefined, cause: unknown) {
    super('KAFKA_REQUEST_FAILED', messageOf(cause), { retriable, cause });
    this.kafkaType = kafkaType;
  }
}
