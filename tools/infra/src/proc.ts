/**
 * Pure parsers for the Linux /proc files we rely on to tell our processes from anybody else's:
 * start time and state from /proc/<pid>/stat, argv from /proc/<pid>/cmdline, listening sockets
 * from /proc/net/tcp. Kept free of I/O so they can be tested with captured text.
 */

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R, S, D, Z (zombie), T, ... */
  readonly state: string;
  readonly ppid: number;
  /** Clock ticks since boot when the process started; unchanged by exec, so it pins one process. */
  readonly startTicks: number;
}

export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new RangeError('not a /proc/<pid>/stat line');
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // Fields after the command start at field 3 (state); starttime is field 22.
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (
    state === undefined ||
    !Number.isFinite(pid) ||
    !Number.isFinite(ppid) ||
    !Number.isFinite(startTicks)
  ) {
    throw new RangeError('malformed /proc/<pid>/stat line');
  }
  return { pid, comm, state, ppid, startTicks };
}

/** argv from /proc/<pid>/cmdline (NUL-separated, usually NUL-terminated). */
export function parseCmdline(raw: Buffer | string): string[] {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** What identifies a process as the one we started for a service. */
export interface ProcessIdentity {
  /** Base name of the executable (argv[0] may be a full path). */
  readonly executable: string;
  /** An argument that only our instance has, e.g. its config file path inside our data dir. */
  readonly marker: string;
}

/** True when argv is our service's command: the right executable with our marker argument. */
export function cmdlineMatches(argv: readonly string[], identity: ProcessIdentity): boolean {
  const exe = argv[0];
  if (exe === undefined) return false;
  const base = exe.slice(exe.lastIndexOf('/') + 1);
  if (base !== identity.executable) return false;
  return argv.some((arg) => arg === identity.marker || arg.endsWith(`=${identity.marker}`));
}

export interface TcpSocketEntry {
  readonly localAddress: string;
  readonly localPort: number;
  readonly listening: boolean;
  readonly inode: number;
}

/** Parses /proc/net/tcp or /proc/net/tcp6 (addresses stay hex; only ports and inodes matter here). */
export function parseProcNetTcp(text: string): TcpSocketEntry[] {
  const entries: TcpSocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const state = cols[3];
    const inode = cols[9];
    if (local === undefined || state === undefined || inode === undefined) continue;
    const colon = local.lastIndexOf(':');
    entries.push({
      localAddress: local.slice(0, colon),
      localPort: parseInt(local.slice(colon + 1), 16),
      listening: state === '0A',
      inode: Number(inode),
    });
  }
  return entries;
}

/** Resident and proportional set size in KiB from /proc/<pid>/smaps_rollup text. */
export function parseSmapsRollup(text: string): { rssKiB: number; pssKiB: number } {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match === null ? 0 : Number(match[1]);
  };
  return { rssKiB: field('Rss'), pssKiB: field('Pss') };
}
