export * from '@simstream/stack';
export * from './ingestion.js';
export * from './kafka.js';
export * from './frames.js';
export * from './kafka-tools.js';
export * from './assertions.js';
export * from './python.js';
export * from './readme-commands.js';
