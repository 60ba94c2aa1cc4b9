#!/usr/bin/env node
/**
 * `pnpm test:deploy`: every offline check of the deployment artefacts. Installs what it needs
 * on first use (tools.ts), then: the Helm chart (lint, render for each value set, kubeconform,
 * policies, schema errors, NOTES), k8s/ overlays, docker-compose.yml, the Dockerfiles and the
 * production trees of the images. Prints one line per check and closes with "N passed, N failed".
 */
import path from 'node:path';
import { chartChecks } from './chart-checks.js';
import { runCheck, type Check } from './check.js';
import type { ComposeModel } from './compose-model.js';
import { docChecks } from './doc-checks.js';
import { helmfileChecks } from './helmfile-checks.js';
import { edgeChecks } from './edge-value-sets.js';
import { imageChecks } from './image-checks.js';
import { k8sChecks } from './k8s-checks.js';
import { poolerChecks } from './pooler-checks.js';
import { kafkaVersionChecks } from './kafka-version-checks.js';
import { repoRoot, SERVICES } from './repo.js';
import { scalingChecks } from './scaling-run.js';
import { chartPolicyChecks } from './egress-checks.js';
import { overlayPolicyChecks } from './overlay-policy-checks.js';
import { loadAllServiceEnvs } from './service-env.js';
import { ensureTools } from './tools.js';

/** compose-go's JSON model: environment maps of strings (or null for "from the shell"). */
function parseComposeJson(json: string): ComposeModel {
  return JSON.parse(json) as ComposeModel;
}

async function main(): Promise<number> {
  const root = repoRoot();
  const started = performance.now();
  const tools = await ensureTools();
  const envs = await loadAllServiceEnvs(root);
  process.stdout.write(
    `env sources: ${SERVICES.map((s) => `${s}=${envs.get(s)!.source === 'schema' ? 'SERVICE_ENV' : 'expected list'}`).join(', ')}\n`,
  );
  const checks: Check[] = [
    ...chartChecks(tools.helm, tools.kubeconform, path.join(root, 'helm', 'simstream'), envs),
    ...k8sChecks(tools.kustomize, tools.kubeconform, root),
    ...overlayPolicyChecks(tools.kustomize, tools.kubeconform, root),
    ...chartPolicyChecks(tools.helm, path.join(root, 'helm', 'simstream')),
    ...kafkaVersionChecks(tools.kustomize, root),
    ...imageChecks(tools.deployLint, root, envs, parseComposeJson),
    ...docChecks(root, envs),
    ...scalingChecks(tools.helm, path.join(root, 'helm', 'simstream'), root),
    ...helmfileChecks(tools.helm, tools.kubeconform, root),
    ...edgeChecks(tools.helm, path.join(root, 'helm', 'simstream'), envs),
    ...poolerChecks(tools.helm, tools.kustomize, root),
  ];
  let passed = 0;
  let failed = 0;
  for (const check of checks) {
    const result = await runCheck(check);
    if (result.problems.length === 0) {
      passed++;
      process.stdout.write(`ok   ${result.name} (${result.ms} ms)\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL ${result.name} (${result.ms} ms)\n`);
      for (const p of result.problems) process.stdout.write(`     - ${p}\n`);
    }
  }
  process.stdout.write(`deploy-check: ${Math.round((performance.now() - started) / 1000)} s\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `deploy-check: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
