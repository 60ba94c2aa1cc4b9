/**
 * Runs a short helper command (initdb, the Kafka storage tool, apt-get, psql) to completion and
 * returns its output, or throws CommandFailedError with the output's tail. Spawning is
 * tools/toolchain's runProgram (a command that cannot start names itself and the reason); here
 * only a default time limit and the exit-code check are added.
 */
import { runProgram, type RunResult } from '@simstream/toolchain';
import { CommandFailedError } from './errors.js';

export type { RunResult };

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly input?: string;
}

/** Runs and resolves whatever the exit code; rejects only if the command cannot be started. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return runProgram(command, args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: { ...options.env } }),
    ...(options.input === undefined ? {} : { input: options.input }),
    timeoutMs: options.timeoutMs ?? 120_000,
  });
}

/** Runs and throws CommandFailedError unless the exit code is 0. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new CommandFailedError(
      [command, ...args].join(' ').slice(0, 300),
      result.code,
      result.stdout + result.stderr,
    );
  }
  return result;
}
