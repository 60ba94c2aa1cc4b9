/**
 * Plain-text rendering of `infra status` and `infra up` results for the terminal. Pure.
 */
import type { ServiceStatus, UpResult, DownResult } from './results.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

const mib = (kib: number | null): string => (kib === null ? '-' : `${(kib / 1024).toFixed(0)} MiB`);

export function formatStatus(statuses: readonly ServiceStatus[]): string {
  const rows = [['SERVICE', 'STATE', 'READY', 'PID', 'ADDRESS', 'VERSION', 'RSS', 'DATA', 'DETAIL']];
  for (const s of statuses) {
    rows.push([
      s.name,
      s.state,
      s.ready ? 'yes' : 'no',
      s.pid === null ? '-' : String(s.pid),
      s.address,
      s.version ?? '-',
      mib(s.rssKiB),
      s.dataDir,
      s.detail,
    ]);
  }
  return table(rows);
}

export function formatUp(results: readonly UpResult[]): string {
  const rows = [['SERVICE', 'ACTION', 'PID', 'READY AFTER', 'DETAIL']];
  for (const r of results)
    rows.push([r.name, r.action, String(r.pid), `${(r.readyMs / 1000).toFixed(1)} s`, r.detail]);
  return table(rows);
}

export function formatDown(results: readonly DownResult[]): string {
  const rows = [['SERVICE', 'ACTION', 'DETAIL']];
  for (const r of results) rows.push([r.name, r.action, r.detail]);
  return table(rows);
}
