import { describe, expect, it } from 'vitest';
import { decodeApiVersionsResponse, describeFeatures, encodeApiVersionsRequest } from './kafka-features.js';

const compact = (s: string): Buffer => Buffer.concat([Buffer.from([s.length + 1]), Buffer.from(s)]);
const i16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/** An ApiVersions v3 response as a 4.2 broker lays it out: two APIs, then the feature tags. */
function response(correlationId: number, finalized: [string, number][], errorCode = 0): Buffer {
  const finalizedArray = Buffer.concat([
    Buffer.from([finalized.length + 1]),
    ...finalized.map(([name, level]) =>
      Buffer.concat([compact(name), i16(level), i16(level), Buffer.from([0])]),
    ),
  ]);
  const supported = Buffer.concat([
    Buffer.from([2]),
    compact('kraft.version'),
    i16(0),
    i16(1),
    Buffer.from([0]),
  ]);
  const epoch = Buffer.alloc(8);
  return Buffer.concat([
    i32(correlationId),
    i16(errorCode),
    Buffer.from([3]), // two api keys
    i16(0),
    i16(3),
    i16(13),
    Buffer.from([0]),
    i16(18),
    i16(0),
    i16(4),
    Buffer.from([0]),
    i32(0), // throttle
    Buffer.from([3]), // three tags: supported, epoch, finalized
    Buffer.from([0, supported.length]),
    supported,
    Buffer.from([1, 8]),
    epoch,
    Buffer.from([2, finalizedArray.length]),
    finalizedArray,
  ]);
}

describe('ApiVersions v3', () => {
  it('encodes a flexible request: key 18, version 3, the client id, empty tags', () => {
    const req = encodeApiVersionsRequest(7, 'x');
    expect(req.readInt32BE(0)).toBe(req.length - 4);
    expect(req.readInt16BE(4)).toBe(18);
    expect(req.readInt16BE(6)).toBe(3);
    expect(req.readInt32BE(8)).toBe(7);
    expect(req.subarray(12).toString('hex')).toBe('0001' + '78' + '00' + '0278' + '0231' + '00');
  });

  it('reads the finalized features out of the tagged fields', () => {
    const features = decodeApiVersionsResponse(
      response(5, [
        ['metadata.version', 29],
        ['transaction.version', 2],
      ]),
      5,
    );
    expect(Object.fromEntries(features)).toEqual({ 'metadata.version': 29, 'transaction.version': 2 });
  });

  it('refuses another correlation id and an error code', () => {
    expect(() => decodeApiVersionsResponse(response(5, []), 6)).toThrow(/correlation id/);
    expect(() => decodeApiVersionsResponse(response(5, [], 35), 5)).toThrow(/error code 35/);
  });
});

describe('describeFeatures', () => {
  it('says when transactions v2 are off, as on a data dir a 3.9 broker formatted', () => {
    expect(
      describeFeatures(
        new Map([
          ['transaction.version', 2],
          ['metadata.version', 29],
        ]),
      ),
    ).toBe('transaction.version 2, metadata.version level 29');
    expect(describeFeatures(new Map([['metadata.version', 21]]))).toMatch(
      /^transaction\.version 0, metadata\.version level 21 \(transactions v1/,
    );
  });
});
