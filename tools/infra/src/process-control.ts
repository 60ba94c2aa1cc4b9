/**
 * Starting service processes detached (they outlive `infra up`), recording them in pid files,
 * and stopping only processes whose pid, start time and command line prove they are ours.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { CommandFailedError } from './errors.js';
import {
  cmdlineMatches,
  parseCmdline,
  parseProcStat,
  parseSmapsRollup,
  type ProcStat,
  type ProcessIdentity,
} from './proc.js';

export interface PidRecord {
  readonly pid: number;
  readonly startTicks: number;
  readonly identity: ProcessIdentity;
  readonly startedAt: string;
}

export interface SpawnSpec {
  readonly command: string;
  readonly args: readonly string[];
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Starts a process in its own session with output to its log; returns its pid. */
export function spawnDetached(spec: SpawnSpec): number {
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    // Swallow spawn errors here (e.g. ENOENT); the caller sees the process missing and reports the log.
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined)
      throw new CommandFailedError(spec.command, null, 'the program could not be started');
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function readArgv(pid: number): Promise<string[] | undefined> {
  try {
    return parseCmdline(await readFile(`/proc/${pid}/cmdline`));
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

export async function writePidFile(path: string, record: PidRecord): Promise<void> {
  await writeFile(path, JSON.stringify(record, null, 2) + '\n');
}

export async function readPidFile(path: string): Promise<PidRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<PidRecord>;
    if (
      typeof parsed.pid !== 'number' ||
      typeof parsed.startTicks !== 'number' ||
      parsed.identity === undefined
    )
      return undefined;
    return parsed as PidRecord;
  } catch {
    return undefined;
  }
}

export async function removePidFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

export type Ownership = { readonly owned: true } | { readonly owned: false; readonly reason: string };

/**
 * Whether the recorded process is still the one we started: same pid, same start time (so not
 * a recycled pid), alive, and its command line names our executable and marker argument.
 */
export async function checkOwnership(record: PidRecord): Promise<Ownership> {
  const stat = await readProcStat(record.pid);
  if (stat === undefined || stat.state === 'Z')
    return { owned: false, reason: `pid ${record.pid} is not running` };
  if (stat.startTicks !== record.startTicks)
    return { owned: false, reason: `pid ${record.pid} was reused by another process` };
  const argv = await readArgv(record.pid);
  if (argv === undefined || !cmdlineMatches(argv, record.identity)) {
    return {
      owned: false,
      reason: `pid ${record.pid} runs "${(argv ?? []).join(' ').slice(0, 120)}", not our ${record.identity.executable}`,
    };
  }
  return { owned: true };
}

/** Sends `signal`, waits up to `timeoutMs` for the process to go, then SIGKILLs it. */
export async function terminate(
  pid: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<'exited' | 'killed'> {
  if (!sendSignal(pid, signal)) return 'exited';
  if (await waitForExit(pid, timeoutMs)) return 'exited';
  sendSignal(pid, 'SIGKILL');
  await waitForExit(pid, 10_000);
  return 'killed';
}

export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until the process has really gone. A zombie is not enough: a multi-threaded process
 * (the JVM) shows its leader as a zombie while other threads still hold its sockets, and Postgres
 * refuses to start while the pid in postmaster.pid still exists. A zombie nobody reaps for a few
 * seconds is taken as gone.
 */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let zombieSince: number | undefined;
  for (;;) {
    const stat = await readProcStat(pid);
    if (stat === undefined) return true;
    if (stat.state === 'Z' || stat.state === 'X') {
      zombieSince ??= Date.now();
      if (Date.now() - zombieSince > 3000) return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

/** Memory of a process and all its descendants: RSS of the main process, PSS summed over the tree. */
export async function memoryOf(pid: number): Promise<{ rssKiB: number; treePssKiB: number } | undefined> {
  const main = await readRollup(pid);
  if (main === undefined) return undefined;
  let treePssKiB = main.pssKiB;
  for (const child of await descendantsOf(pid)) treePssKiB += (await readRollup(child))?.pssKiB ?? 0;
  return { rssKiB: main.rssKiB, treePssKiB };
}

async function readRollup(pid: number): Promise<{ rssKiB: number; pssKiB: number } | undefined> {
  try {
    return parseSmapsRollup(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
  } catch {
    return undefined;
  }
}

async function descendantsOf(root: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readProcStat(Number(entry));
    if (stat === undefined) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** The pid and command line of whoever listens on `inodes` (from /proc/net/tcp), if visible. */
export async function findSocketOwner(
  inodes: ReadonlySet<number>,
): Promise<{ pid: number; argv: string[] } | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = await readdir(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const link = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match !== null && inodes.has(Number(match[1]))) {
        return { pid: Number(entry), argv: (await readArgv(Number(entry))) ?? [] };
      }
    }
  }
  return undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
