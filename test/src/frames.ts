/** Deterministic synthetic frames: content is a function of (simulation, step), so tests can regenerate and compare. */
import { createHash, randomUUID } from 'node:crypto';
import type { Frame } from '@simstream/contracts';
import type { ClientFrame } from '@simstream/client';

/** `bytes` of deterministic content for (simulation, step, field): xorshift32 seeded by a hash of the three. */
export function patternBytes(simulationId: string, step: number, field: string, bytes: number): Buffer {
  let x = createHash('sha256').update(`${simulationId}/${step}/${field}`).digest().readUInt32LE(0) | 1;
  const words = new Uint32Array(Math.ceil(bytes / 4));
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, bytes);
}

/** A frame of float32 fields whose bytes follow patternBytes (NaN patterns are fine: the finite check is off by default). */
export function syntheticFrame(
  simulationId: string,
  step: number,
  elements = 1024,
  fields = ['u', 'v'],
): ClientFrame {
  return {
    step,
    simTime: step * 0.01,
    attributes: { source: 'test' },
    fields: fields.map((name) => ({
      name,
      dtype: 'uint8' as const,
      shape: [elements * 4],
      data: patternBytes(simulationId, step, name, elements * 4),
    })),
  };
}

/** A frame record as ingestion writes it to Kafka: one uint8 field `u` of `bytes` pattern bytes. */
export function kafkaFrame(simulationId: string, step: number, bytes: number): Frame {
  return {
    frameId: randomUUID(),
    simulationId,
    step,
    simTime: step,
    fields: [
      { name: 'u', dtype: 'uint8', shape: [bytes], codec: 'none', data: patternBytes('c', step, 'u', bytes) },
    ],
    attributes: {},
    ingestedAt: Date.now(),
    tenant: 'default',
  };
}
