/** Kubernetes manifests as data: multi-document YAML in, objects with their kind out. */
import { DeployInputError } from './errors.js';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [key: string]: unknown;
}

export function parseManifests(text: string, source: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new DeployInputError(`${source}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const obj = value as Partial<K8sObject>;
    if (
      typeof obj.apiVersion !== 'string' ||
      typeof obj.kind !== 'string' ||
      obj.metadata?.name === undefined
    )
      throw new DeployInputError(`${source}: a document without apiVersion, kind or metadata.name`);
    out.push(obj as K8sObject);
  }
  return out;
}

export const describeObject = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
