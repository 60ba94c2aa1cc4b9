/** The producer transport a connection config names (KAFKA_PRODUCER_TRANSPORT). */
import type { Kafka } from 'kafkajs';
import type { KafkaConnectionConfig } from '../connection.js';
import { DEFAULT_PRODUCER_TRANSPORT, type ProducerTransportFactory } from '../producer-transport.js';
import { kafkajsTransport } from './kafkajs.js';
import { platformaticTransport } from './platformatic.js';

/** `kafka`: the service's kafkajs client (from createKafka with the same config), for kafkajs. */
export function producerTransport(config: KafkaConnectionConfig, kafka: Kafka): ProducerTransportFactory {
  return (config.producerTransport ?? DEFAULT_PRODUCER_TRANSPORT) === 'platformatic'
    ? platformaticTransport(config)
    : kafkajsTransport(kafka);
}
