/**
 * Just enough of the Kafka wire protocol to ask a broker for metadata (Metadata v1), so that
 * readiness means "the broker answers metadata and lists itself", not "a port is open". Raw TCP
 * keeps this tool free of a Kafka client library whose own retries and logging would blur what
 * the probe saw.
 */
import { Socket } from 'node:net';

export interface BrokerMetadata {
  readonly brokers: readonly { readonly nodeId: number; readonly host: string; readonly port: number }[];
  readonly controllerId: number;
  readonly topics: readonly {
    readonly name: string;
    readonly errorCode: number;
    readonly partitions: number;
  }[];
}

const METADATA_API_KEY = 3;
// Kafka 4 removed old request versions (KIP-896), but not Metadata's: 4.2.0 still serves v0-13
// (MetadataRequest.json in kafka-clients 4.2.0), so v1's simple non-flexible layout stays valid.
const METADATA_VERSION = 1;

/** A size-prefixed Metadata v1 request for all topics. */
export function encodeMetadataRequest(correlationId: number, clientId: string): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length + 4);
  let o = 0;
  o = body.writeInt16BE(METADATA_API_KEY, o);
  o = body.writeInt16BE(METADATA_VERSION, o);
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(client.length, o);
  o += client.copy(body, o);
  body.writeInt32BE(-1, o); // null topic array = all topics (v1+)
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Decodes a Metadata v1 response body (after the 4-byte size); checks the correlation id. */
export function decodeMetadataResponse(frame: Buffer, expectedCorrelationId: number): BrokerMetadata {
  let o = 0;
  const need = (n: number): void => {
    if (o + n > frame.length) throw new RangeError(`metadata response truncated at byte ${o}`);
  };
  const int8 = (): number => (need(1), frame.readInt8((o += 1) - 1));
  const int16 = (): number => (need(2), frame.readInt16BE((o += 2) - 2));
  const int32 = (): number => (need(4), frame.readInt32BE((o += 4) - 4));
  const str = (): string | null => {
    const len = int16();
    if (len < 0) return null;
    need(len);
    const s = frame.toString('utf8', o, o + len);
    o += len;
    return s;
  };
  const array = <T>(item: () => T): T[] => {
    const n = int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  };

  const correlationId = int32();
  if (correlationId !== expectedCorrelationId) {
    throw new RangeError(`correlation id ${correlationId} does not match request ${expectedCorrelationId}`);
  }
  const brokers = array(() => {
    const nodeId = int32();
    const host = str() ?? '';
    const port = int32();
    str(); // rack
    return { nodeId, host, port };
  });
  const controllerId = int32();
  const topics = array(() => {
    const errorCode = int16();
    const name = str() ?? '';
    int8(); // is_internal
    const partitions = array(() => {
      int16(); // error code
      int32(); // partition index
      int32(); // leader
      array(int32); // replicas
      array(int32); // isr
      return 0;
    }).length;
    return { name, errorCode, partitions };
  });
  return { brokers, controllerId, topics };
}

/**
 * Connects, sends one size-prefixed request and resolves with its decoded answer (the frame
 * after the 4-byte size); a random correlation id ties the two.
 */
export function exchangeOnce<T>(
  host: string,
  port: number,
  timeoutMs: number,
  encode: (correlationId: number, clientId: string) => Buffer,
  decode: (frame: Buffer, correlationId: number) => T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const correlationId = Math.floor(Math.random() * 0x7fffffff);
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined, value?: T): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(value as T);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error('connection closed before a full answer')));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const size = received.readInt32BE(0);
      if (received.length < 4 + size) return;
      try {
        finish(undefined, decode(received.subarray(4, 4 + size), correlationId));
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.connect(port, host, () => socket.write(encode(correlationId, 'simstream-infra')));
  });
}

/** Connects, sends one Metadata request and resolves with the decoded answer. */
export function fetchMetadata(host: string, port: number, timeoutMs: number): Promise<BrokerMetadata> {
  return exchangeOnce(host, port, timeoutMs, encodeMetadataRequest, decodeMetadataResponse);
}
