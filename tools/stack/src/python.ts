/** Python virtual environments under .cache/: the Python SDK's (clients/python) for its tests and bench. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './processes.js';

const run = promisify(execFile);

export const PYTHON_SDK_DIR = path.join(REPO_ROOT, 'clients', 'python');

/** The python of the virtual environment .cache/<name>, created on first use. */
export async function venvPython(name: string): Promise<string> {
  const venv = path.join(REPO_ROOT, '.cache', name);
  const python = path.join(venv, 'bin', 'python');
  if (!existsSync(python)) await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
  return python;
}

/**
 * Path of a python with the SDK installed from its source as a user installs it
 * (`pip install ./clients/python[...]`, not editable: the wheel's contents are what runs), with
 * its test, arrow and progress extras. The venv is kept; the package itself is reinstalled every
 * time so the current source runs.
 */
export async function sdkPython(): Promise<string> {
  const python = await venvPython('venv-sdk');
  const pip = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check'];
  await run(python, [...pip, `${PYTHON_SDK_DIR}[test,arrow,progress]`], { timeout: 600_000 });
  await run(python, [...pip, '--no-deps', '--force-reinstall', PYTHON_SDK_DIR], { timeout: 300_000 });
  return python;
}
