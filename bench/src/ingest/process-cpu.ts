/**
 * CPU time of every process a case keeps busy (client, ingestion, broker, a peer's producer), so
 * that peers are compared by what they cost the machine and not only by MB/s: on a machine whose
 * cores the client, ingestion and the broker share, the full path's MB/s ceiling is the cores'
 * time divided by the CPU all of them spend per MB. Linux only (/proc); elsewhere the figures
 * are left out.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { round } from './stats.js';

const run = promisify(execFile);

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU milliseconds a live process has used, from /proc/<pid>/stat; undefined if unreadable. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/** What `fn` cost each process: `self` is this process (the client), others by pid. */
export async function measureCpu<T>(
  pids: Readonly<Record<string, number | 'self'>>,
  fn: () => Promise<T>,
): Promise<{ result: T; cpuMs: Record<string, number> }> {
  const read = (pid: number | 'self') =>
    pid === 'self' ? (({ user, system }) => (user + system) / 1000)(process.cpuUsage()) : processCpuMs(pid);
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, read(pid)]));
  const result = await fn();
  const cpuMs: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const start = before[name];
    const end = read(pid);
    if (start !== undefined && end !== undefined) cpuMs[name] = end - start;
  }
  return { result, cpuMs };
}

/**
 * Runs a command to its end and also returns the CPU it and its children used (the shell's
 * `times`, which reports its waited-for children: the JVM, or a child node process).
 */
export async function execFileWithCpu(
  command: string,
  args: readonly string[],
  options: { timeout: number; maxBuffer: number },
): Promise<{ stdout: string; cpuMs: number | undefined }> {
  const { stdout, stderr } = await run(
    'sh',
    ['-c', '"$@"; status=$?; times >&2; exit $status', 'sh', command, ...args],
    options,
  );
  // Two lines: the shell's own user/system time, then its children's, as "1m2.5s 0m0.3s".
  const last = stderr.trim().split('\n').pop() ?? '';
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s$/.exec(last);
  const cpuMs =
    m === null ? undefined : (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
  return { stdout, cpuMs };
}

/** CPU milliseconds per MB (10^6 bytes) of payload, by process, with their total. */
export function perMegabyte(cpuMs: Readonly<Record<string, number>>, bytes: number): Record<string, number> {
  const mb = bytes / 1e6;
  const out: Record<string, number> = {};
  let total = 0;
  for (const [name, ms] of Object.entries(cpuMs)) {
    out[name] = round(ms / mb, 2);
    total += ms;
  }
  out.total = round(total / mb, 2);
  return out;
}
