/**
 * Runs a short helper command (initdb, the Kafka storage tool, apt-get, psql) to completion and
 * returns its output, or throws CommandFailedError with the output's tail.
 */
import { spawn } from 'node:child_process';
import { CommandFailedError } from './errors.js';

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly input?: string;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs and resolves whatever the exit code; rejects only if the command cannot be started. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin?.end(options.input);
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
