/**
 * Makes sure a Debian package that provides a service binary is installed: as root, installs it
 * with apt-get (refreshing the package lists only if the first try fails); otherwise stops with
 * the exact command a person has to run.
 */
import { access } from 'node:fs/promises';
import { MissingPackageError } from './errors.js';
import { runCommand } from './run-command.js';

export interface PackageNeed {
  /** Debian package name, e.g. `redis-server`. */
  readonly pkg: string;
  /** Whether the package is there, e.g. a binary exists. */
  readonly present: () => Promise<boolean>;
}

export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

// dpkg allows one installer at a time; services come up in parallel, so installs queue here.
let installQueue: Promise<unknown> = Promise.resolve();

export async function ensurePackage(
  need: PackageNeed,
  context: {
    readonly isRoot: boolean;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly log: (line: string) => void;
  },
): Promise<void> {
  if (await need.present()) return;
  if (!context.isRoot) {
    throw new MissingPackageError(
      [need.pkg],
      `the Debian package ${need.pkg} is not installed and this is not root`,
    );
  }
  const turn = installQueue.then(() => install(need, context));
  installQueue = turn.catch(() => undefined);
  await turn;
}

async function install(
  need: PackageNeed,
  context: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly log: (line: string) => void;
  },
): Promise<void> {
  if (await need.present()) return;
  const { log } = context;
  log(`installing Debian package ${need.pkg} (apt-get install -y ${need.pkg})`);
  const env = { ...context.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt (a person's, another helper's) may hold the dpkg lock: wait for it rather than fail.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  const apt = (args: string[]): ReturnType<typeof runCommand> =>
    runCommand('apt-get', [...lockWait, ...args], { env, timeoutMs: 900_000 });
  let result = await apt(['install', '-y', '--no-install-recommends', need.pkg]);
  if (result.code !== 0) {
    log(`apt-get install ${need.pkg} failed; running apt-get update and trying again`);
    await apt(['update']);
    result = await apt(['install', '-y', '--no-install-recommends', need.pkg]);
  }
  if (result.code !== 0 || !(await need.present())) {
    const tail = (result.stdout + result.stderr).trim().split('\n').slice(-5).join('\n');
    throw new MissingPackageError([need.pkg], `apt-get could not install ${need.pkg}:\n${tail}\n`);
  }
}
