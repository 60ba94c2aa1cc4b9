#!/usr/bin/env node
/**
 * `pnpm --filter @simstream/deploy-check gen:topics`: writes the KafkaTopic resources of k8s/
 * from the topic table (kafka-topics.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedTopicFiles } from './kafka-topics.js';
import { repoRoot } from './repo.js';

const root = repoRoot();
for (const file of generatedTopicFiles()) {
  const target = path.join(root, file.path);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, file.content);
  process.stdout.write(`wrote ${file.path}\n`);
}
