import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKafkaSecurity, checkKafkaUser, checkNamespaceSecurity } from './kafka-security-checks.js';
import { parseManifests, type K8sObject } from './manifests.js';
import { repoRoot } from './repo.js';

const root = repoRoot();
const read = (file: string) => parseManifests(readFileSync(path.join(root, file), 'utf8'), file);
const base = () => [...read('k8s/base/kafka/kafka.yaml'), ...read('k8s/base/kafka/users.yaml')];

function user(acls: unknown[], authentication: unknown = { type: 'scram-sha-512' }): K8sObject {
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaUser',
    metadata: { name: 'simstream' },
    spec: { authentication, authorization: { type: 'simple', acls } },
  };
}

describe('checkKafkaSecurity', () => {
  it('accepts the base: one TLS + SCRAM listener, simple authorization, four scoped users', () => {
    const objects = base();
    expect(objects.filter((o) => o.kind === 'KafkaUser').map((u) => u.metadata.name)).toEqual([
      'simstream-ingestion',
      'simstream-neuromorphic',
      'simstream-quantum',
      'simstream-query',
    ]);
    expect(checkKafkaSecurity(objects, 'base')).toEqual([]);
  });

  it('refuses the old plain listener on 9092 and a cluster without authorization', () => {
    const objects = base().map((o) => {
      if (o.kind !== 'Kafka') return o;
      const kafka = (o.spec as { kafka: Record<string, unknown> }).kafka;
      const listeners = [
        { name: 'plain', port: 9092, type: 'internal', tls: false },
        ...(kafka.listeners as unknown[]),
      ];
      return {
        ...o,
        spec: { ...(o.spec as object), kafka: { ...kafka, listeners, authorization: undefined } },
      };
    });
    expect(checkKafkaSecurity(objects, 'k8s dev')).toEqual([
      'k8s dev: Kafka listener plain (port 9092) has no client authentication: anyone in the network can read and write every topic',
      'k8s dev: Kafka has no authorization: KafkaUser ACLs would not be enforced',
    ]);
  });

  it('refuses the old shared user: transactional id *, topic creation, a short prefix', () => {
    const old = user([
      {
        resource: { type: 'topic', name: 'simstream.', patternType: 'prefix' },
        operations: ['Read', 'Write', 'Create'],
      },
      { resource: { type: 'group', name: 'simstream', patternType: 'prefix' }, operations: ['Read'] },
      {
        resource: { type: 'transactionalId', name: '*', patternType: 'literal' },
        operations: ['Write', 'Describe'],
      },
      { resource: { type: 'cluster' }, operations: ['Describe', 'IdempotentWrite'] },
    ]);
    expect(checkKafkaUser(old)).toEqual([
      "KafkaUser simstream: changes topic 'simstream.' (topics are KafkaTopic resources)",
      "KafkaUser simstream: group prefix 'simstream' is too broad",
      "KafkaUser simstream: transactionalId '*' is a wildcard: name the transactionalIds it uses",
    ]);
  });

  it('refuses a user without authentication, a topic *, All and cluster Alter', () => {
    const bad = user(
      [
        { resource: { type: 'topic', name: '*', patternType: 'literal' }, operations: ['Read'] },
        { resource: { type: 'group', name: 'simstream-query' }, operations: ['All'] },
        { resource: { type: 'cluster' }, operations: ['Alter'] },
      ],
      {},
    );
    expect(checkKafkaUser(bad)).toEqual([
      'KafkaUser simstream: no SCRAM or TLS authentication',
      "KafkaUser simstream: topic '*' is a wildcard: name the topics it uses",
      "KafkaUser simstream: operation All on group 'simstream-query'",
      'KafkaUser simstream: cluster operations Alter (only IdempotentWrite is needed)',
    ]);
  });
});

describe('checkNamespaceSecurity', () => {
  it('accepts the overlays namespaces and refuses a missing or baseline one', () => {
    for (const file of ['k8s/overlays/dev/namespace.yaml', 'k8s/namespace/namespace.yaml'])
      expect(checkNamespaceSecurity(read(file), file)).toEqual([]);
    const baseline: K8sObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'simstream', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
    };
    expect(checkNamespaceSecurity([baseline], 'p')).toEqual([
      'p: Namespace simstream does not enforce the restricted pod security level (pod-security.kubernetes.io/enforce is baseline)',
    ]);
    expect(checkNamespaceSecurity([], 'p')).toEqual([
      'p: no Namespace with pod security admission labels (pod-security.kubernetes.io/enforce)',
    ]);
  });
});
