/**
 * Services started as real child processes (so tests can kill -9 them), with their logs kept
 * in .data/service-logs/ for post-mortems.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where each service's output goes, one file per start. */
export const SERVICE_LOG_DIR = path.join(REPO_ROOT, '.data', 'service-logs');

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly opsUrl: string;
  readonly env: Record<string, string>;
  readonly logFile: string;
  /** SIGKILL: no drain, no flush. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for exit (graceful drain). */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  readonly name: string;
  /** Path of the service's main.js relative to the repository root. */
  readonly main: string;
  readonly env: Record<string, string>;
  readonly opsPort?: number;
  readonly readyTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function startService(options: StartOptions): Promise<ServiceProcess> {
  mkdirSync(SERVICE_LOG_DIR, { recursive: true });
  const opsPort = options.opsPort ?? (await freePort());
  const env = { ...options.env, OPS_PORT: String(opsPort) };
  const logFile = path.join(SERVICE_LOG_DIR, `${options.name}-${Date.now()}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [path.join(REPO_ROOT, options.main)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${options.name} exited with ${child.exitCode} before ready; log: ${logFile}`);
    try {
      const res = await fetch(`${opsUrl}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} not ready within the timeout; log: ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name: options.name,
    child,
    opsUrl,
    env,
    logFile,
    async kill9() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGTERM');
      return exited(child);
    },
  };
}

/** A metric's value from a Prometheus text page (sum over label sets matching `labels`). */
export async function metricValue(
  opsUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const set = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}
