/** Where the repository and its deployment files are, from this package's location. */
import { DeployInputError } from './errors.js';
import { existsSync } from 'node:fs';
import os from 'node:os';
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

/**
 * Cached tools and schemas, kept between runs. Per user rather than per checkout (like Go's own
 * caches): CI runs in a fresh clone on the same machine and would otherwise rebuild helm (minutes)
 * every time. Everything in it is keyed by version or checksum.
 */
export function cacheDir(): string {
  if (process.env.SIMSTREAM_DEPLOY_CACHE !== undefined) return process.env.SIMSTREAM_DEPLOY_CACHE;
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'simstream', 'deploy-check');
}

/** The five services, in the order images are built and started. */
export const SERVICES = ['ingestion', 'neuromorphic', 'quantum', 'query', 'gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];
