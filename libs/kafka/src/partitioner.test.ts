import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './partitioner.js';

const require = createRequire(import.meta.url);

describe('murmur2 partitioner', () => {
  it("matches Kafka's Java murmur2 on its published test vectors", () => {
    // From org.apache.kafka.common.utils.UtilsTest#testMurmur2.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of cases) expect(murmur2(Buffer.from(key)), key).toBe(expected);
  });

  it("agrees with kafkajs' default partitioner on random keys", () => {
    const kafkajsMurmur = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (
      key: Buffer,
    ) => number;
    for (let i = 0; i < 500; i++) {
      const key = Buffer.from(`simulation-${i}-${(i * 7919).toString(36)}`);
      expect(murmur2(key)).toBe(kafkajsMurmur(key));
      expect(partitionForKey(key, 12)).toBe((kafkajsMurmur(key) & 0x7fffffff) % 12);
    }
  });
});
