/** @simstream/kafka: everything Kafka, behind our own small interfaces (kafkajs stays replaceable). */
export { readCommittedFixed } from './kafkajs-read-committed.js';
export { crc32c, kafkajsTuning } from './kafkajs-tuning.js';
export * from './topics.js';
export * from './connection.js';
export * from './admin.js';
export * from './partitioner.js';
export * from './kafka-errors.js';
export * from './kafka-retry.js';
export * from './offsets.js';
export * from './producer.js';
export * from './producer-transport.js';
export { kafkajsTransport } from './transports/kafkajs.js';
export * from './producer-metrics.js';
export * from './headers.js';
export * from './framing.js';
export * from './reassembler.js';
export * from './consumer.js';
export * from './table.js';
