/**
 * `pnpm bench <name> [args]`: runs bench/src/<name>.ts, whose default export is
 * `(args: string[]) => Promise<unknown>`; prints the JSON it returns on stdout and keeps a copy
 * in bench/results/<name>.json. Progress goes to stderr so stdout stays machine-readable.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { messageOf } from '@simstream/errors';

type Bench = (args: string[]) => Promise<unknown>;

const here = path.dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);

function available(): string[] {
  return [
    'anneal',
    'nab',
    'sim-events',
    'ingest',
    'consume',
    'e2e',
    'export',
    'auth',
    'uploads',
    'python-sdk',
  ].filter((n) => existsSync(path.join(here, `${n}.js`)));
}

if (name === undefined || !/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(path.join(here, `${name}.js`))) {
  process.stderr.write(`usage: pnpm bench <name> [args]; benches: ${available().join(', ')}\n`);
  process.exit(2);
}

// A bench may name its results file after its mode (e.g. `sim-events --stream` is not a run of
// the benchmark and must not replace its figures).
const mod = (await import(`./${name}.js`)) as { default: Bench; resultsName?: (args: string[]) => string };
const started = new Date();
let result: unknown;
try {
  result = await mod.default(args);
} catch (error) {
  // A bench that could not measure what it set out to prints why and fails: no figures.
  process.stderr.write(`bench ${name} failed: ${messageOf(error)}\n`);
  if (error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
const report = {
  bench: name,
  started: started.toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  result,
};
const json = JSON.stringify(report, null, 2);
const out = path.resolve(here, '..', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, `${mod.resultsName?.(args) ?? name}.json`), json + '\n');
process.stdout.write(json + '\n');
