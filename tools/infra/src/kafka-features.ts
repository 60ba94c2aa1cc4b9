/**
 * The broker's finalized feature levels (ApiVersions v3, KIP-584), so that `infra status` shows
 * what the cluster really runs, not only which jars it started from: a data dir formatted by an
 * older Kafka keeps its metadata.version and transaction.version 0 after the 4.2 binaries start
 * on it, and transactions v2 (KIP-890) are then off although the version column says 4.2.0.
 */
import { exchangeOnce } from './kafka-protocol.js';

const API_VERSIONS_KEY = 18;
/** v3: the first flexible version, and the one with the feature tags. 4.2.0 serves v0-4. */
const API_VERSIONS_VERSION = 3;
const FINALIZED_FEATURES_TAG = 2;

/** Finalized feature name → level (e.g. transaction.version → 2). */
export type FinalizedFeatures = ReadonlyMap<string, number>;

function uvarint(n: number): Buffer {
  const out: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function compactString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([uvarint(b.length + 1), b]);
}

/** A size-prefixed ApiVersions v3 request (header v2: client id, then an empty tag buffer). */
export function encodeApiVersionsRequest(correlationId: number, clientId: string): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  const header = Buffer.alloc(2 + 2 + 4 + 2);
  header.writeInt16BE(API_VERSIONS_KEY, 0);
  header.writeInt16BE(API_VERSIONS_VERSION, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(client.length, 8);
  const body = Buffer.concat([
    header,
    client,
    uvarint(0), // header tags
    compactString(clientId), // client_software_name
    compactString('1'), // client_software_version
    uvarint(0), // body tags
  ]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/**
 * Decodes an ApiVersions v3 response (after the size; its header is v0, correlation id only,
 * even for flexible versions) into the finalized features; throws on an error code.
 */
export function decodeApiVersionsResponse(frame: Buffer, expectedCorrelationId: number): FinalizedFeatures {
  let o = 0;
  const need = (n: number): void => {
    if (o + n > frame.length) throw new RangeError(`api versions response truncated at byte ${o}`);
  };
  const int16 = (): number => (need(2), frame.readInt16BE((o += 2) - 2));
  const int32 = (): number => (need(4), frame.readInt32BE((o += 4) - 4));
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      need(1);
      const byte = frame[o++]!;
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
    throw new RangeError(`varint too long at byte ${o}`);
  };
  const skipTags = (): void => {
    for (let n = varint(); n > 0; n--) {
      varint(); // tag
      const len = varint();
      need(len);
      o += len;
    }
  };
  const compactString = (): string => {
    const len = varint() - 1;
    need(len);
    const s = frame.toString('utf8', o, o + len);
    o += len;
    return s;
  };

  const correlationId = int32();
  if (correlationId !== expectedCorrelationId)
    throw new RangeError(`correlation id ${correlationId} does not match request ${expectedCorrelationId}`);
  const errorCode = int16();
  if (errorCode !== 0) throw new RangeError(`api versions error code ${errorCode}`);
  for (let n = varint() - 1; n > 0; n--) {
    o += 6; // api key, min, max
    need(0);
    skipTags();
  }
  int32(); // throttle time
  const features = new Map<string, number>();
  for (let tags = varint(); tags > 0; tags--) {
    const tag = varint();
    const len = varint();
    need(len);
    const end = o + len;
    if (tag === FINALIZED_FEATURES_TAG) {
      for (let n = varint() - 1; n > 0; n--) {
        const name = compactString();
        const maxLevel = int16();
        int16(); // min level
        skipTags();
        features.set(name, maxLevel);
      }
    }
    o = end;
  }
  return features;
}

/** Asks one broker for its finalized features. */
export function fetchFinalizedFeatures(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<FinalizedFeatures> {
  return exchangeOnce(host, port, timeoutMs, encodeApiVersionsRequest, decodeApiVersionsResponse);
}

/** `transaction.version 2, metadata.version level 29`, or a note when transactions v2 are off. */
export function describeFeatures(features: FinalizedFeatures): string {
  const tv = features.get('transaction.version') ?? 0;
  const mv = features.get('metadata.version');
  const base = `transaction.version ${tv}, metadata.version level ${mv ?? 'unknown'}`;
  return tv >= 2
    ? base
    : `${base} (transactions v1: data formatted by an older Kafka? see tools/infra/README.md)`;
}
