/** Where the repository and its deployment files are, from this package's location. */
import { DeployInputError } from './errors.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor holding pnpm-workspace.yaml. */
export function repoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new DeployInputError(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

/** The five services, in the order images are built and started. */
export const SERVICES = ['ingestion', 'neuromorphic', 'quantum', 'query', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];
