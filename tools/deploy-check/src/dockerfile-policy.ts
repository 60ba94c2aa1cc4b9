/**
 * Rules for the images, checked on the instructions BuildKit's own parser produced
 * (deploy-lint dockerfile): multi-stage, a minimal production tree from `pnpm deploy`, a
 * non-root numeric user, a health check, pinned base images, and versions that agree with the
 * repository (pnpm, tfjs). Pure: parsed files and facts in, problems out.
 */

export interface ParsedDockerfile {
  readonly file: string;
  readonly metaArgs: readonly { key: string; value: string | null }[];
  readonly stages: readonly {
    readonly name: string;
    readonly baseName: string;
    readonly instructions: readonly { line: number; name: string; text: string }[];
  }[];
  readonly warnings: readonly string[];
}

export interface ImageFacts {
  readonly service: string;
  /** Version pinned in package.json's packageManager. */
  readonly pnpmVersion: string;
  /** The service's OPS_PORT. */
  readonly opsPort: number;
  /** @tensorflow/tfjs-core version in libs/compute (for the GPU image). */
  readonly tfjsVersion?: string;
  readonly gpu: boolean;
}

function resolveBase(base: string, args: ParsedDockerfile['metaArgs']): string {
  return base.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => {
    const arg = args.find((a) => a.key === name);
    return arg?.value ?? `<unset ${name}>`;
  });
}

export function checkDockerfile(d: ParsedDockerfile, facts: ImageFacts): string[] {
  const problems: string[] = [];
  const at = (msg: string) => problems.push(`${d.file}: ${msg}`);
  for (const w of d.warnings) at(`parser warning: ${w}`);
  const arg = (key: string) => d.metaArgs.find((a) => a.key === key)?.value ?? undefined;
  if (d.stages.length < 2) at('not a multi-stage build');
  const stageNames = new Set<string>();
  for (const stage of d.stages) {
    if (!stageNames.has(stage.baseName)) {
      const image = resolveBase(stage.baseName, d.metaArgs);
      if (!/^[\w./-]+:[\w.-]+$/.test(image) || image.endsWith(':latest'))
        at(`stage ${stage.name || '?'} is based on ${image}, not a pinned tag`);
    }
    if (stage.name) stageNames.add(stage.name);
  }
  const runtime = d.stages[d.stages.length - 1];
  if (runtime === undefined) return problems;
  const all = d.stages.flatMap((s) => s.instructions);
  const final = runtime.instructions;
  const has = (list: typeof final, name: string) => list.filter((i) => i.name.toLowerCase() === name);

  if (
    !all.some(
      (i) =>
        i.name.toLowerCase() === 'run' &&
        new RegExp(`pnpm --filter @simstream/${facts.service} deploy --prod`).test(i.text),
    )
  )
    at(`no 'pnpm --filter @simstream/${facts.service} deploy --prod' (minimal production tree)`);
  if (!has(final, 'copy').some((i) => /--from=deploy \/out \/app/.test(i.text)))
    at('the runtime stage does not take the deployed tree (COPY --from=deploy /out /app)');
  const users = has(final, 'user');
  const user = users[users.length - 1]?.text.replace(/^USER\s+/i, '') ?? '';
  if (!/^[1-9][0-9]*(:[0-9]+)?$/.test(user))
    at(`the runtime user is '${user || 'root'}', not a numeric non-root uid`);
  if (has(final, 'healthcheck').length === 0) at('the runtime stage has no HEALTHCHECK');
  if (has(final, 'entrypoint').length + has(final, 'cmd').length === 0) at('no ENTRYPOINT or CMD');
  const expose = has(final, 'expose')
    .map((i) => i.text)
    .join(' ');
  if (!new RegExp(`\\b${facts.opsPort}\\b`).test(expose)) at(`EXPOSE lacks the ops port ${facts.opsPort}`);
  const env = has(final, 'env')
    .map((i) => i.text)
    .join(' ');
  if (!env.includes(`OPS_PORT=${facts.opsPort}`))
    at(`the runtime stage does not set OPS_PORT=${facts.opsPort}`);
  if (arg('PNPM_VERSION') !== facts.pnpmVersion)
    at(`ARG PNPM_VERSION=${arg('PNPM_VERSION')} but package.json pins pnpm ${facts.pnpmVersion}`);

  if (facts.gpu) {
    const cuda = arg('CUDA_IMAGE') ?? '';
    if (!/^nvidia\/cuda:11\.\d+\.\d+-cudnn8-runtime-/.test(cuda))
      at(
        `CUDA_IMAGE ${cuda} is not a CUDA 11.x cuDNN 8 runtime (tfjs-node-gpu's TensorFlow 2.9 needs CUDA 11)`,
      );
    if (facts.tfjsVersion !== undefined && arg('TFJS_VERSION') !== facts.tfjsVersion)
      at(`ARG TFJS_VERSION=${arg('TFJS_VERSION')} but libs/compute uses tfjs-core ${facts.tfjsVersion}`);
    if (
      !all.some(
        (i) => i.name.toLowerCase() === 'run' && i.text.includes('@tensorflow/tfjs-node-gpu@${TFJS_VERSION}'),
      )
    )
      at('tfjs-node-gpu is not installed at TFJS_VERSION');
    if (!env.includes('SIMSTREAM_TF_BACKEND=tensorflow-gpu'))
      at('the GPU image does not select tensorflow-gpu');
    if (
      !resolveBase(runtime.baseName, d.metaArgs).startsWith('cuda-node') &&
      !stageNames.has(runtime.baseName)
    )
      at('the runtime stage is not the CUDA stage');
  }
  return problems;
}
