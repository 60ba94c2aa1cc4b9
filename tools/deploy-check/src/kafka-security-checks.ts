/**
 * Least privilege in a built k8s/ overlay: every Kafka listener authenticates its clients and
 * the cluster authorizes them; each KafkaUser authenticates with SCRAM or TLS and its ACLs name
 * topics, groups and transactional ids (no `*`, no empty prefix); the namespace enforces the
 * restricted pod security level. Mistakes here are silent in a cluster: everything still works,
 * for anyone.
 */
import type { K8sObject } from './manifests.js';
import { arrayAt, stringAt } from './walk.js';

const AUTHENTICATIONS = new Set(['scram-sha-512', 'tls', 'custom', 'oauth']);

/** Listeners, authorization and KafkaUsers. */
export function checkKafkaSecurity(objects: readonly K8sObject[], label: string): string[] {
  const problems: string[] = [];
  const kafka = objects.find((o) => o.kind === 'Kafka');
  if (kafka === undefined) return [`${label}: no Kafka resource`];
  for (const l of arrayAt(kafka, 'spec', 'kafka', 'listeners')) {
    const type = stringAt(l, 'authentication', 'type');
    if (type === undefined || !AUTHENTICATIONS.has(type))
      problems.push(
        `${label}: Kafka listener ${stringAt(l, 'name')} (port ${stringAt(l, 'port')}) has no client authentication: anyone in the network can read and write every topic`,
      );
    else if (stringAt(l, 'tls') !== 'true' && type.startsWith('scram'))
      problems.push(`${label}: Kafka listener ${stringAt(l, 'name')} sends SCRAM credentials without TLS`);
  }
  if (stringAt(kafka, 'spec', 'kafka', 'authorization', 'type') === undefined)
    problems.push(`${label}: Kafka has no authorization: KafkaUser ACLs would not be enforced`);
  const users = objects.filter((o) => o.kind === 'KafkaUser');
  if (users.length === 0) problems.push(`${label}: no KafkaUser (each service needs its own)`);
  for (const u of users) problems.push(...checkKafkaUser(u).map((p) => `${label}: ${p}`));
  return problems;
}

/** One KafkaUser: authenticated, ACLs without wildcards or operations it cannot need. */
export function checkKafkaUser(user: K8sObject): string[] {
  const problems: string[] = [];
  const name = `KafkaUser ${user.metadata.name}`;
  if (!AUTHENTICATIONS.has(stringAt(user, 'spec', 'authentication', 'type') ?? ''))
    problems.push(`${name}: no SCRAM or TLS authentication`);
  const acls = arrayAt(user, 'spec', 'authorization', 'acls');
  if (acls.length === 0) problems.push(`${name}: no ACLs`);
  for (const acl of acls) {
    const type = stringAt(acl, 'resource', 'type') ?? '?';
    const resource = stringAt(acl, 'resource', 'name');
    const pattern = stringAt(acl, 'resource', 'patternType') ?? 'literal';
    const operations = arrayAt(acl, 'operations').map(String);
    if (type !== 'cluster' && (resource === undefined || resource === '*' || resource === ''))
      problems.push(`${name}: ${type} '${resource ?? ''}' is a wildcard: name the ${type}s it uses`);
    else if (type !== 'cluster' && pattern === 'prefix' && resource!.length < 'simstream.'.length)
      problems.push(`${name}: ${type} prefix '${resource}' is too broad`);
    if (stringAt(acl, 'type') === 'deny') continue;
    if (operations.includes('All')) problems.push(`${name}: operation All on ${type} '${resource ?? ''}'`);
    if (
      type === 'topic' &&
      operations.some((op) => ['Create', 'Delete', 'Alter', 'AlterConfigs'].includes(op))
    )
      problems.push(`${name}: changes topic '${resource}' (topics are KafkaTopic resources)`);
    if (type === 'cluster' && operations.some((op) => op !== 'IdempotentWrite' && op !== 'Describe'))
      problems.push(`${name}: cluster operations ${operations.join(', ')} (only IdempotentWrite is needed)`);
  }
  return problems;
}

/** The Namespace of the overlay enforces the restricted pod security level. */
export function checkNamespaceSecurity(objects: readonly K8sObject[], label: string): string[] {
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  if (namespaces.length === 0)
    return [`${label}: no Namespace with pod security admission labels (pod-security.kubernetes.io/enforce)`];
  return namespaces.flatMap((ns) => {
    const labels = ns.metadata.labels ?? {};
    return labels['pod-security.kubernetes.io/enforce'] === 'restricted'
      ? []
      : [
          `${label}: Namespace ${ns.metadata.name} does not enforce the restricted pod security level (pod-security.kubernetes.io/enforce is ${labels['pod-security.kubernetes.io/enforce'] ?? 'unset'})`,
        ];
  });
}
