/**
 * The one object a service, tool or test holds to talk to Kafka: it hands out our interfaces
 * only (an admin, consumers, producer transports), each on the client library the connection
 * config names (KAFKA_PRODUCER_TRANSPORT, KAFKA_CONSUMER_TRANSPORT) or the one asked for. No
 * client library type crosses it. Library clients are made on first use: a service that uses
 * kafkajs for nothing never makes a kafkajs client.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '@simstream/observability';
import type { KafkaConnectionConfig } from './connection.js';
import {
  DEFAULT_CONSUMER_TRANSPORT,
  type ConsumerTransport,
  type ConsumerTransportKind,
  type ConsumerTransportOptions,
} from './consumer-transport.js';
import type { KafkaAdmin } from './kafka-admin.js';
import {
  DEFAULT_PRODUCER_TRANSPORT,
  type ProducerTransportFactory,
  type ProducerTransportKind,
} from './producer-transport.js';
import { kafkajsTransport } from './transports/kafkajs.js';
import { KafkajsAdmin } from './transports/kafkajs-admin.js';
import { kafkajsClient } from './transports/kafkajs-client.js';
import { KafkajsConsumer } from './transports/kafkajs-consumer.js';
import { platformaticTransport } from './transports/platformatic.js';
import { PlatformaticAdmin } from './transports/platformatic-admin.js';
import { PlatformaticConsumer } from './transports/platformatic-consumer.js';

export interface KafkaClient {
  readonly config: KafkaConnectionConfig;
  /**
   * A new admin client (connect it, disconnect it after; withAdmin does both), on the consumer
   * transport's library unless `transport` says otherwise.
   */
  admin(transport?: ConsumerTransportKind): KafkaAdmin;
  /** A new consumer group member on the configured transport, or on `transport`. */
  consumer(options: ConsumerTransportOptions, transport?: ConsumerTransportKind): ConsumerTransport;
  /** Producers on the configured transport, or on `transport` (BatchingProducer's `transport`). */
  producers(transport?: ProducerTransportKind): ProducerTransportFactory;
}

/** The client of a connection config; library clients log through `logger`. */
export function createKafkaClient(config: KafkaConnectionConfig, logger: Logger): KafkaClient {
  let kafkajs: Kafka | undefined;
  const kafkajsOnce = () => (kafkajs ??= kafkajsClient(config, logger));
  let platformaticProducers: ProducerTransportFactory | undefined;
  const consumerLogger = logger.child({ component: 'kafka-consumer' });
  return {
    config,
    // Admin calls (topics, their offsets, groups' offsets) go with the consumers' library.
    admin: (transport = config.consumerTransport ?? DEFAULT_CONSUMER_TRANSPORT) =>
      transport === 'platformatic' ? new PlatformaticAdmin(config) : new KafkajsAdmin(kafkajsOnce()),
    consumer: (options, transport = config.consumerTransport ?? DEFAULT_CONSUMER_TRANSPORT) =>
      transport === 'platformatic'
        ? new PlatformaticConsumer(config, options, consumerLogger)
        : new KafkajsConsumer(kafkajsOnce(), options),
    producers: (transport = config.producerTransport ?? DEFAULT_PRODUCER_TRANSPORT) =>
      transport === 'platformatic'
        ? (platformaticProducers ??= platformaticTransport(config))
        : kafkajsTransport(kafkajsOnce()),
  };
}
