/**
 * pnpm, found the way ./dev finds it: the `pnpm` on PATH when its version is the one pinned in
 * the root package.json's `packageManager`, else `npx --yes pnpm@<pinned>` (a fresh machine has
 * no global pnpm). Every tool that runs pnpm goes through here, so a fresh machine behaves like
 * a developer's.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PnpmVersionUnknownError } from './errors.js';
import { runProgram } from './run-program.js';

/** A command line prefix that runs pnpm: `[command, ...args, <pnpm arguments>]`. */
export interface PnpmCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly version: string;
  /** 'path': a pnpm on PATH at the pinned version; 'npx': the pinned version through npx. */
  readonly via: 'path' | 'npx';
}

/** The version in `packageManager: "pnpm@<version>"` of `<root>/package.json`. */
export function pinnedPnpmVersion(root: string): string {
  const file = path.join(root, 'package.json');
  const found = (JSON.parse(readFileSync(file, 'utf8')) as { packageManager?: unknown }).packageManager;
  const match = typeof found === 'string' ? /^pnpm@(\d+\.\d+\.\d+[^+\s]*)/.exec(found) : null;
  if (match === null) throw new PnpmVersionUnknownError(file, found);
  return match[1]!;
}

/** ./dev's choice: the pnpm on PATH only when it is the pinned version, otherwise npx. */
export function choosePnpm(
  pinned: string,
  onPath: { readonly file: string; readonly version: string | undefined } | undefined,
): PnpmCommand {
  if (onPath !== undefined && onPath.version === pinned)
    return { command: onPath.file, args: [], version: pinned, via: 'path' };
  return { command: 'npx', args: ['--yes', `pnpm@${pinned}`], version: pinned, via: 'npx' };
}

/** The first executable `name` in the directories of `pathVariable` (like `command -v`). */
export function findOnPath(name: string, pathVariable: string | undefined): string | undefined {
  for (const dir of (pathVariable ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves pnpm for the repository at `root` as ./dev does (asks a pnpm on PATH its version). */
export async function resolvePnpm(root: string, env: NodeJS.ProcessEnv = process.env): Promise<PnpmCommand> {
  const pinned = pinnedPnpmVersion(root);
  const file = findOnPath('pnpm', env.PATH);
  if (file === undefined) return choosePnpm(pinned, undefined);
  const version = await runProgram(file, ['--version'], { cwd: root, env }).then(
    (r) => (r.code === 0 ? r.stdout.trim() : undefined),
    () => undefined,
  );
  return choosePnpm(pinned, { file, version });
}
