/** The errors of running the repository's programs (documented in docs/errors.md). */
import { SimstreamError } from '@simstream/errors';

const HINTS: Record<string, string> = {
  ENOENT: 'not found (not on PATH, or the path does not exist)',
  EACCES: 'not executable by this user',
  ENOEXEC: 'not a program this system can run',
};

/** A program could not be started at all (the spawn failed); names it and the system's reason. */
export class ProgramNotStartedError extends SimstreamError {
  readonly command: string;
  readonly errno: string | undefined;

  constructor(command: string, cause: unknown) {
    const errno = (cause as { code?: unknown } | null)?.code;
    const code = typeof errno === 'string' ? errno : undefined;
    const reason =
      code === undefined ? String(cause) : `${code}, ${HINTS[code] ?? 'the system refused to start it'}`;
    super('PROGRAM_NOT_STARTED', `cannot run ${command}: ${reason}`, { cause });
    this.command = command;
    this.errno = code;
  }
}

/** The pinned pnpm version cannot be read from package.json's `packageManager`. */
export class PnpmVersionUnknownError extends SimstreamError {
  constructor(file: string, found: unknown) {
    super(
      'PNPM_VERSION_UNKNOWN',
      `${file}: "packageManager" must be "pnpm@<version>" (./dev and the tools run that version), got ${JSON.stringify(found)}`,
    );
  }
}
