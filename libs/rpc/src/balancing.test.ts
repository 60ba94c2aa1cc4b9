/**
 * A new replica gets traffic: real grpc-js servers (createGrpcServer, as every service makes
 * them) and a client with the services' channel options (balancedChannelOptions) resolving a
 * name through real DNS. The DNS server is a small UDP responder standing in for the cluster's
 * DNS in front of a headless Service: it answers the name with one A record per ready replica,
 * and a replica "appears" when its address is added. The client asks it directly (a `dns://`
 * target with an authority, which grpc-js honours with its c-ares resolver); the services use
 * `dns:///` and the system resolver, otherwise the same code path. 127.0.0.1 and 127.0.0.2 are
 * two loopback addresses, so both replicas listen on the same port as pods behind one name do.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';

// grpc-js reads this once when it loads: it must be set before the first import below.
process.env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER = 'true';
const grpc = await import('@grpc/grpc-js');
const { createGrpcServer } = await import('./server.js');
const { balancedChannelOptions } = await import('./balancing.js');
type Handle = Awaited<ReturnType<typeof createGrpcServer>>;

const NAME = 'replicas.simstream.test';
const WHO = '/simstream.test.Who/Name';
const identity = (b: Buffer) => b;

/** A DNS responder answering A queries for NAME with `addresses` (TTL 0), nothing else. */
async function dnsServer(addresses: () => readonly string[]) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    let offset = 12;
    while (query[offset] !== 0) offset += query[offset]! + 1;
    const qname = query.subarray(12, offset + 1);
    const qtype = query.readUInt16BE(offset + 1);
    const question = query.subarray(12, offset + 5);
    const name = decodeName(qname);
    const answers = qtype === 1 && name === NAME ? addresses() : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8580, 2); // response, authoritative, recursion desired/available, NOERROR
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const records = answers.map((ip) => {
      const r = Buffer.alloc(16);
      r.writeUInt16BE(0xc00c, 0); // the name of the question
      r.writeUInt16BE(1, 2); // A
      r.writeUInt16BE(1, 4); // IN
      r.writeUInt32BE(0, 6); // TTL 0: always asked again
      r.writeUInt16BE(4, 10);
      ip.split('.').forEach((octet, i) => r.writeUInt8(Number(octet), 12 + i));
      return r;
    });
    socket.send(Buffer.concat([header, question, ...records]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => socket.close() };
}

function decodeName(labels: Buffer): string {
  const parts: string[] = [];
  for (let i = 0; labels[i] !== 0; i += labels[i]! + 1)
    parts.push(labels.toString('ascii', i + 1, i + 1 + labels[i]!));
  return parts.join('.').toLowerCase();
}

/** A replica: answers Name with its own name, after `holdMs` (an open call across a GOAWAY). */
async function replica(
  name: string,
  host: string,
  port: number,
  maxAgeMs: number,
): Promise<{ handle: Handle; port: number }> {
  const handle = createGrpcServer({
    maxReceiveMessageBytes: 1024,
    healthServices: [],
    credentials: grpc.ServerCredentials.createInsecure(),
    connectionAge: maxAgeMs > 0 ? { maxAgeMs, graceMs: 30_000 } : undefined,
  });
  handle.server.addService(
    {
      Name: {
        path: WHO,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    {
      Name: (call: { request: Buffer }, callback: (e: null, r: Buffer) => void) => {
        const holdMs = call.request.length > 0 ? Number(call.request.toString()) : 0;
        setTimeout(() => callback(null, Buffer.from(name)), holdMs);
      },
    },
  );
  return { handle, port: await handle.listen(host, port) };
}

function ask(client: InstanceType<typeof grpc.Client>, holdMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      WHO,
      identity,
      identity,
      Buffer.from(holdMs > 0 ? String(holdMs) : ''),
      { deadline: Date.now() + 10_000 },
      (error, reply) => (error ? reject(error) : resolve(reply!.toString())),
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('gRPC balancing: a new replica gets traffic', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function scenario(options: { maxAgeMs: number; balanced: boolean }) {
    const addresses = ['127.0.0.1'];
    const dns = await dnsServer(() => addresses);
    cleanup.push(() => dns.close());
    // Any free port on 127.0.0.1; the second replica takes the same one on 127.0.0.2.
    const { handle: a, port } = await replica('a', '127.0.0.1', 0, options.maxAgeMs);
    cleanup.push(() => a.shutdown(100));
    const client = new grpc.Client(
      `dns://127.0.0.1:${dns.port}/${NAME}:${port}`,
      grpc.credentials.createInsecure(),
      options.balanced ? balancedChannelOptions({ minResolutionIntervalMs: 100 }) : {},
    );
    cleanup.push(() => client.close());
    expect(await ask(client)).toBe('a');
    // A call that is still open when its connection reaches its age.
    const held = ask(client, Math.max(2000, options.maxAgeMs * 2));
    const { handle: b } = await replica('b', '127.0.0.2', port, options.maxAgeMs);
    cleanup.push(() => b.shutdown(100));
    addresses.push('127.0.0.2');
    const started = Date.now();
    const seen: string[] = [];
    let firstB: number | undefined;
    while (Date.now() - started < 8000 && seen.filter((n) => n === 'b').length < 20) {
      const who = await ask(client); // any failure fails the test: no call may be lost
      seen.push(who);
      if (who === 'b' && firstB === undefined) firstB = Date.now() - started;
      await sleep(25);
    }
    return { held: await held, firstB, seen };
  }

  it('round_robin over the resolved replicas, with a maximum connection age: b is reached within seconds, a keeps its share, the open call completes', async () => {
    const { held, firstB, seen } = await scenario({ maxAgeMs: 1000, balanced: true });
    expect(held).toBe('a');
    expect(firstB).toBeDefined();
    // Age 1 s (±10 %) plus a re-resolution: well under the 8 s allowed.
    expect(firstB!).toBeLessThan(5000);
    const afterB = seen.slice(seen.indexOf('b'));
    const onA = afterB.filter((n) => n === 'a').length;
    // Round robin from then on: both replicas serve, about evenly.
    expect(onA).toBeGreaterThanOrEqual(10);
  });

  it('the default (pick_first, connections that never age) leaves the new replica idle', async () => {
    const { held, firstB, seen } = await scenario({ maxAgeMs: 0, balanced: false });
    expect(held).toBe('a');
    expect(firstB).toBeUndefined();
    expect(seen.length).toBeGreaterThan(20);
    expect(new Set(seen)).toEqual(new Set(['a']));
  });
});
