/**
 * Go programs the checks and tests run, installed by the repository itself: `go install
 * module@version` at pinned versions (through the Go module proxy) into a directory of their
 * own under the tool cache, once, then reused.
 */
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimstreamError, messageOf } from '@simstream/errors';
import { runProgram } from '@simstream/toolchain';

export const GO_TOOLS = {
  helm: { module: 'helm.sh/helm/v3/cmd/helm', version: 'v3.22.0' },
  kubeconform: { module: 'github.com/yannh/kubeconform/cmd/kubeconform', version: 'v0.7.0' },
  kustomize: { module: 'sigs.k8s.io/kustomize/kustomize/v5', version: 'v5.8.1' },
  grpcurl: { module: 'github.com/fullstorydev/grpcurl/cmd/grpcurl', version: 'v1.9.3' },
} as const;
export type GoTool = keyof typeof GO_TOOLS;

/** A tool could not be installed (no Go, or `go install` failed). */
export class ToolUnavailableError extends SimstreamError {
  constructor(message: string, cause?: unknown) {
    super('DEPLOY_TOOL_UNAVAILABLE', message, { cause });
  }
}

/**
 * Cached tools and schemas, kept between runs. Per user rather than per checkout (like Go's own
 * caches): CI runs in a fresh clone on the same machine and would otherwise rebuild helm (minutes)
 * every time. Everything in it is keyed by version or checksum.
 */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIMSTREAM_DEPLOY_CACHE !== undefined) return env.SIMSTREAM_DEPLOY_CACHE;
  const base = env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'simstream', 'deploy-check');
}

async function goInstall(name: GoTool, gobin: string): Promise<void> {
  const { module, version } = GO_TOOLS[name];
  const result = await runProgram('go', ['install', `${module}@${version}`], {
    env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
  }).catch((error: unknown) => {
    // No Go at all: say so with the system's reason (ENOENT ...), not an empty message.
    throw new ToolUnavailableError(`Go is needed to install ${name}: ${messageOf(error)}`, error);
  });
  if (result.code !== 0)
    throw new ToolUnavailableError(
      `go install ${module}@${version} failed (exit ${result.code}):\n${result.stderr || result.stdout}`,
    );
}

/** The path of `name`'s binary, after `go install module@version` into a directory of its own, once. */
export async function ensureGoTool(name: GoTool, cache = toolCacheDir()): Promise<string> {
  const tool = GO_TOOLS[name];
  const dir = path.join(cache, 'bin', `${name}@${tool.version}`);
  const binary = path.join(dir, name);
  if (existsSync(binary)) return binary;
  process.stderr.write(`installing ${name} ${tool.version} (go install, once; a few minutes for helm)\n`);
  mkdirSync(dir, { recursive: true });
  await goInstall(name, dir);
  if (!existsSync(binary))
    throw new ToolUnavailableError(`go install ${tool.module}@${tool.version}: no ${binary}`);
  return binary;
}
