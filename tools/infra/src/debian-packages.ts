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

export async function ensurePackage(
  need: PackageNeed,
  context: {
    readonly isRoot: boolean;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly log: (line: string) => void;
  },
): Promise<void> {
  const { isRoot, log } = context;
  if (await need.present()) return;
  if (!isRoot)
    throw new MissingPackageError(
      [need.pkg],
      `the Debian package ${need.pkg} is not installed and this is not root`,
    );
  log(`installing Debian package ${need.pkg} (apt-get install -y ${need.pkg})`);
  const env = { ...context.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): ReturnType<typeof runCommand> =>
    runCommand('apt-get', ['install', '-y', '--no-install-recommends', need.pkg], {
      env,
      timeoutMs: 600_000,
    });
  let result = await install();
  if (result.code !== 0) {
    log(`apt-get install ${need.pkg} failed; running apt-get update and trying again`);
    await runCommand('apt-get', ['update'], { env, timeoutMs: 600_000 });
    result = await install();
  }
  if (result.code !== 0 || !(await need.present())) {
    const tail = (result.stdout + result.stderr).trim().split('\n').slice(-5).join('\n');
    throw new MissingPackageError([need.pkg], `apt-get could not install ${need.pkg}:\n${tail}\n`);
  }
}
