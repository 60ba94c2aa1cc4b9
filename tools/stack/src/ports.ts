/**
 * Free loopback ports for services started by tests, benches and the demo.
 *
 * Ports are picked below the kernel's ephemeral range (ip_local_port_range, 32768–60999 on
 * Linux): a port the OS hands out for `listen(0)` comes from that range, and so does the source
 * port of every outgoing connection, so between picking such a port and the service binding it
 * (a service binds its gRPC port only after joining its Kafka group: seconds) any client's
 * connection could take it (seen in CI: the query service exiting with EADDRINUSE). Ports handed
 * out in this process are not handed out again.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Lowest port of the picking range: above the infrastructure's and the services' defaults. */
const LOW = 20_000;
const handedOut = new Set<number>();

/** First port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function osPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let attempt = 0; high > LOW && attempt < 100; attempt++) {
    const port = LOW + Math.floor(Math.random() * (high - LOW + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port); // reserved before the check: concurrent callers never get the same one
    if (await portFree(port)) return port;
  }
  return osPort(); // no room below the ephemeral range: the OS's choice
}

/** Whether a loopback port is free now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `preferred` when free, else any free port. */
export async function portOr(preferred: number | undefined): Promise<number> {
  return preferred !== undefined && (await portFree(preferred)) ? preferred : freePort();
}
