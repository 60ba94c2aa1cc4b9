import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32c, kafkajsTuning } from './index.js';

const require = createRequire(import.meta.url);
const stock = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;

describe('kafkajs tuning', () => {
  it('computes the CRC-32C kafkajs computes, on every length and alignment', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    for (const length of [0, 1, 7, 8, 9, 15, 16, 17, 1000, 65_537]) {
      const data = randomBytes(length + 3).subarray(3); // unaligned views too
      expect(crc32c(data)).toBe(stock(data) >>> 0);
    }
  });

  it('is installed before kafkajs loads, and kafkajs encodes record batches with it', () => {
    expect(kafkajsTuning).toEqual({ crc: true, encoder: true });
    const crcIndex = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
    const data = randomBytes(4096);
    expect(crcIndex(data)).toBe(stock(data) >>> 0);
    const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => {
      writeBytes(b: Buffer): unknown;
      buffer: Buffer;
    };
    const e = new Encoder();
    e.writeBytes(data);
    expect(e.buffer.subarray(4).equals(data)).toBe(true); // grown without zero-filling, content intact
  });
});
