import { describe, expect, it } from 'vitest';
import { decodeMetadataResponse, encodeMetadataRequest } from './kafka-protocol.js';

/** Builds a Metadata v1 response body the way a broker lays it out. */
function responseBody(correlationId: number): Buffer {
  const parts: Buffer[] = [];
  const i8 = (v: number): void => void parts.push(Buffer.from([v]));
  const i16 = (v: number): void => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    parts.push(b);
  };
  const i32 = (v: number): void => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    parts.push(b);
  };
  const str = (s: string | null): void => {
    if (s === null) return i16(-1);
    i16(Buffer.byteLength(s));
    parts.push(Buffer.from(s));
  };
  i32(correlationId);
  i32(1); // brokers
  i32(1);
  str('127.0.0.1');
  i32(9092);
  str(null);
  i32(1); // controller id
  i32(2); // topics
  for (const [name, partitions] of [
    ['frames', 2],
    ['__consumer_offsets', 1],
  ] as const) {
    i16(0);
    str(name);
    i8(name.startsWith('__') ? 1 : 0);
    i32(partitions);
    for (let p = 0; p < partitions; p++) {
      i16(0);
      i32(p);
      i32(1);
      i32(1);
      i32(1); // replicas [1]
      i32(1);
      i32(1); // isr [1]
    }
  }
  return Buffer.concat(parts);
}

describe('encodeMetadataRequest', () => {
  it('frames a Metadata v1 request for all topics', () => {
    const frame = encodeMetadataRequest(7, 'abc');
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(frame.readInt16BE(4)).toBe(3); // api key Metadata
    expect(frame.readInt16BE(6)).toBe(1); // version
    expect(frame.readInt32BE(8)).toBe(7);
    expect(frame.readInt16BE(12)).toBe(3);
    expect(frame.toString('utf8', 14, 17)).toBe('abc');
    expect(frame.readInt32BE(17)).toBe(-1); // null topics = all
    expect(frame.length).toBe(21);
  });
});

describe('decodeMetadataResponse', () => {
  it('reads brokers, controller and topics', () => {
    expect(decodeMetadataResponse(responseBody(42), 42)).toEqual({
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }],
      controllerId: 1,
      topics: [
        { name: 'frames', errorCode: 0, partitions: 2 },
        { name: '__consumer_offsets', errorCode: 0, partitions: 1 },
      ],
    });
  });

  it('refuses an answer to another request and a truncated answer', () => {
    expect(() => decodeMetadataResponse(responseBody(42), 43)).toThrow(/correlation id/);
    const body = responseBody(42);
    expect(() => decodeMetadataResponse(body.subarray(0, body.length - 3), 42)).toThrow(/truncated/);
  });
});
