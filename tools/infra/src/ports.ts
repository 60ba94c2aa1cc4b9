/**
 * Is a TCP port on loopback taken, and by whom: used before starting a service so we never
 * fight (or kill) a process we did not start.
 */
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { parseProcNetTcp } from './proc.js';
import { findSocketOwner } from './process-control.js';

/** True when something accepts connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** A short description of the process listening on `port` ("pid 123: redis-server ..."), if visible. */
export async function describeListener(port: number): Promise<string | undefined> {
  const inodes = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const entry of parseProcNetTcp(text)) {
      if (entry.listening && entry.localPort === port && entry.inode > 0) inodes.add(entry.inode);
    }
  }
  if (inodes.size === 0) return undefined;
  const owner = await findSocketOwner(inodes);
  if (owner === undefined) return undefined;
  return `pid ${owner.pid} (${summarizeArgv(owner.argv)})`;
}

/** A long command line as its program and last arguments, where the identifying paths usually are. */
export function summarizeArgv(argv: readonly string[]): string {
  const full = argv.join(' ');
  if (full.length <= 120 || argv.length <= 3) return full.slice(0, 200);
  return `${argv[0]} … ${argv.slice(-2).join(' ')}`.slice(0, 200);
}
