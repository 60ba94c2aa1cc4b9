import { describe, expect, it } from 'vitest';
import { checkDockerfile, type ParsedDockerfile } from './dockerfile-policy.js';

const ins = (name: string, text: string) => ({ line: 1, name, text });

function dockerfile(
  runtime: ReturnType<typeof ins>[],
  metaArgs = [
    { key: 'NODE_IMAGE', value: 'node:24.21.0-bookworm-slim' },
    { key: 'PNPM_VERSION', value: '10.34.9' },
  ],
): ParsedDockerfile {
  return {
    file: 'services/query/Dockerfile',
    metaArgs,
    warnings: [],
    stages: [
      {
        name: 'build',
        baseName: '${NODE_IMAGE}',
        instructions: [ins('RUN', 'RUN pnpm --filter @simstream/query deploy --prod --legacy /out')],
      },
      { name: 'runtime', baseName: '${NODE_IMAGE}', instructions: runtime },
    ],
  };
}

const good = [
  ins('COPY', 'COPY --from=deploy /out /app'),
  ins('USER', 'USER 1000:1000'),
  ins('ENV', 'ENV OPS_PORT=9104'),
  ins('EXPOSE', 'EXPOSE 50052 9104'),
  ins('HEALTHCHECK', 'HEALTHCHECK CMD ["node", "/usr/local/lib/simstream/healthcheck.mjs"]'),
  ins('CMD', 'CMD ["dist/main.js"]'),
];
const facts = { service: 'query', pnpmVersion: '10.34.9', opsPort: 9104, gpu: false };

describe('checkDockerfile', () => {
  it('accepts a conforming image', () => {
    expect(checkDockerfile(dockerfile(good), facts)).toEqual([]);
  });

  it('names a root user, a missing health check, an unpinned base and a pnpm drift', () => {
    const runtime = good.filter((i) => i.name !== 'HEALTHCHECK' && i.name !== 'USER');
    const problems = checkDockerfile(
      dockerfile(runtime, [
        { key: 'NODE_IMAGE', value: 'node:latest' },
        { key: 'PNPM_VERSION', value: '9.0.0' },
      ]),
      facts,
    );
    expect(problems).toEqual([
      'services/query/Dockerfile: stage build is based on node:latest, not a pinned tag',
      'services/query/Dockerfile: stage runtime is based on node:latest, not a pinned tag',
      "services/query/Dockerfile: the runtime user is 'root', not a numeric non-root uid",
      'services/query/Dockerfile: the runtime stage has no HEALTHCHECK',
      'services/query/Dockerfile: ARG PNPM_VERSION=9.0.0 but package.json pins pnpm 10.34.9',
    ]);
  });

  it('wants the deploy of its own package', () => {
    expect(checkDockerfile(dockerfile(good), { ...facts, service: 'gateway', opsPort: 9104 })).toContain(
      "services/query/Dockerfile: no 'pnpm --filter @simstream/gateway deploy --prod' (minimal production tree)",
    );
  });

  it('holds the GPU image to CUDA 11, the tfjs version and the forced backend', () => {
    const problems = checkDockerfile(
      dockerfile(good, [
        { key: 'NODE_IMAGE', value: 'node:24.21.0-bookworm-slim' },
        { key: 'PNPM_VERSION', value: '10.34.9' },
        { key: 'CUDA_IMAGE', value: 'nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04' },
        { key: 'TFJS_VERSION', value: '4.21.0' },
      ]),
      { ...facts, gpu: true, tfjsVersion: '4.22.0' },
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/CUDA_IMAGE .* is not a CUDA 11\.x cuDNN 8 runtime/),
        expect.stringMatching(/TFJS_VERSION=4\.21\.0 but libs\/compute uses tfjs-core 4\.22\.0/),
        expect.stringMatching(/tfjs-node-gpu is not installed/),
        expect.stringMatching(/does not select tensorflow-gpu/),
      ]),
    );
  });
});
