/** A Python virtual environment under .cache/ for cross-language checks (created on first use). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@simstream/stack';

const run = promisify(execFile);

/** Path of a python with `requirements` installed (pinned versions, e.g. fastavro==1.13.1). */
export async function pythonWith(requirements: readonly string[]): Promise<string> {
  const venv = path.join(REPO_ROOT, '.cache', 'venv-test');
  const python = path.join(venv, 'bin', 'python');
  if (!existsSync(python)) await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
  try {
    await run(python, [
      '-c',
      requirements.map((r) => `import ${r.split('==')[0]!.replace(/-/g, '_')}`).join(';'),
    ]);
  } catch {
    await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...requirements], {
      timeout: 300_000,
    });
  }
  return python;
}

const SDK = path.join(REPO_ROOT, 'clients', 'python');

/**
 * Path of a python with the Python SDK (clients/python) installed from its source as a user
 * installs it (`pip install ./clients/python[...]`, not editable: the wheel's contents are what
 * is tested), with its test, arrow and progress extras. The venv is kept under .cache/; the
 * package itself is reinstalled every time so the tests run the current source.
 */
export async function sdkPython(): Promise<string> {
  const venv = path.join(REPO_ROOT, '.cache', 'venv-sdk');
  const python = path.join(venv, 'bin', 'python');
  if (!existsSync(python)) await run('python3', ['-m', 'venv', venv], { timeout: 120_000 });
  const pip = [python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check'];
  await run(pip[0]!, [...pip.slice(1), `${SDK}[test,arrow,progress]`], { timeout: 600_000 });
  await run(pip[0]!, [...pip.slice(1), '--no-deps', '--force-reinstall', SDK], { timeout: 300_000 });
  return python;
}
