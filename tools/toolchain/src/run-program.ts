/**
 * Running an external program to completion and capturing what it printed. A non-zero exit is
 * the caller's to judge; a program that cannot be started at all (ENOENT, EACCES ...) rejects
 * with ProgramNotStartedError naming the program and the reason, never with an empty message.
 */
import { spawn } from 'node:child_process';
import { ProgramNotStartedError } from './errors.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Kill the program (SIGTERM) after this long; no limit when absent. */
  readonly timeoutMs?: number;
}

/** Runs `command args`; resolves whatever the exit code, rejects only if it cannot start. */
export function runProgram(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failed = false;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // Writing to a child that never started fails too (EPIPE); the spawn error says more.
    child.stdin.on('error', () => undefined);
    child.once('error', (error) => {
      failed = true;
      reject(new ProgramNotStartedError(command, error));
    });
    child.once('close', (code, signal) => {
      if (failed) return;
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal === null ? '' : `\n(killed by ${signal})`),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}
