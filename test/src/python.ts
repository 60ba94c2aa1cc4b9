/** A Python virtual environment under .cache/ for cross-language checks (created on first use). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { venvPython } from '@simstream/stack';

const run = promisify(execFile);

/** Path of a python with `requirements` installed (pinned versions, e.g. fastavro==1.13.1). */
export async function pythonWith(requirements: readonly string[]): Promise<string> {
  const python = await venvPython('venv-test');
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
