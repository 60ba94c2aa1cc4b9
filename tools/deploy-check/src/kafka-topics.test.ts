import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CLUSTER_TOPIC_ENVIRONMENT, topicDefinitions } from '@simstream/kafka';
import { generatedTopicFiles, renderClusterTopics, topicResourceName } from './kafka-topics.js';
import { repoRoot } from './repo.js';

const root = repoRoot();

interface TopicDoc {
  metadata: { name: string };
  spec: { topicName: string; partitions: number; replicas: number; config: Record<string, string> };
}

describe('KafkaTopic resources', () => {
  it.each(generatedTopicFiles().map((f) => [f.path, f.content] as const))(
    '%s is current with libs/kafka/src/topics.ts',
    (file, content) => {
      const committed = readFileSync(path.join(root, file), 'utf8');
      // A failure here means: run `pnpm --filter @simstream/deploy-check gen:topics` and commit.
      expect(committed).toBe(content);
    },
  );

  it('carry every topic with its partitions, replication 3 and min.insync.replicas 2', () => {
    const docs = parseAllDocuments(renderClusterTopics()).map((d) => d.toJS() as TopicDoc);
    const table = topicDefinitions(CLUSTER_TOPIC_ENVIRONMENT);
    expect(docs.map((d) => d.spec.topicName)).toEqual(table.map((t) => t.name));
    for (const [i, topic] of table.entries()) {
      const doc = docs[i]!;
      expect(doc.metadata.name).toBe(topicResourceName(topic.name));
      expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(doc.spec.partitions).toBe(topic.partitions);
      expect(doc.spec.replicas).toBe(3);
      expect(doc.spec.config['min.insync.replicas']).toBe('2');
      expect(doc.spec.config['retention.ms'] ?? doc.spec.config['cleanup.policy']).toBeDefined();
      expect(doc.spec.config).toEqual(topic.config);
    }
  });
});
