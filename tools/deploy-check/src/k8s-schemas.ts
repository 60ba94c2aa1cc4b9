/**
 * JSON schemas for kubeconform, made offline:
 * - Kubernetes kinds: the per-kind schemas that the PyPI package kubernetes-validate ships
 *   (generated from each release's OpenAPI document, "strict": unknown fields are errors). They
 *   point into a shared `_definitions.json` by absolute path, which kubeconform cannot follow from
 *   disk, so each kind is bundled into one standalone file with only the definitions it reaches.
 * - Custom resources: a CRD's openAPIV3Schema per served version, made strict the way
 *   kubeconform's own openapi2jsonschema does (objects with properties and without
 *   x-kubernetes-preserve-unknown-fields take no unknown fields).
 * Pure: values in, values out; file handling is in the caller.
 */
import { DeployInputError } from './errors.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const DEFINITIONS_REF = '/api/_definitions.json#/$defs/';

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** kubeconform's file name for a built-in kind: `deployment-apps-v1`, `service-v1`, `ingress-networking-v1`. */
export function kindSchemaName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groupPart = group === '' ? '' : `-${group!.split('.')[0]}`;
  return `${kind.toLowerCase()}${groupPart}-${version}`;
}

function rewriteRefs(node: Json, found: Set<string>): Json {
  if (Array.isArray(node)) return node.map((x) => rewriteRefs(x, found));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const name = value.startsWith(DEFINITIONS_REF)
        ? value.slice(DEFINITIONS_REF.length)
        : value.startsWith('#/$defs/')
          ? value.slice('#/$defs/'.length)
          : undefined;
      if (name === undefined) throw new DeployInputError(`unexpected $ref ${value}`);
      found.add(name);
      out[key] = `#/$defs/${name}`;
    } else {
      out[key] = rewriteRefs(value, found);
    }
  }
  return out;
}

/**
 * One standalone schema: the kind's schema with local `$defs` holding every definition it
 * reaches (transitively), and no `$id`, so the file resolves on its own.
 */
export function bundleKindSchema(kindSchema: JsonObject, definitions: JsonObject): JsonObject {
  const defs = definitions.$defs;
  if (!isObject(defs)) throw new DeployInputError('_definitions.json has no $defs');
  const pending = new Set<string>();
  const { $id: _id, ...rest } = kindSchema;
  const root = rewriteRefs(rest, pending) as JsonObject;
  const bundled: JsonObject = {};
  while (pending.size > 0) {
    const [name] = pending;
    pending.delete(name!);
    if (name! in bundled) continue;
    const def = defs[name!];
    if (def === undefined) throw new DeployInputError(`definition ${name} not found`);
    const more = new Set<string>();
    bundled[name!] = rewriteRefs(def, more);
    for (const m of more) if (!(m in bundled)) pending.add(m);
  }
  return { ...root, $defs: bundled };
}

function strict(node: Json): Json {
  if (Array.isArray(node)) return node.map(strict);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // Property names are data here, not keywords: recurse into each property's schema.
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v)]));
    } else {
      out[key] = strict(value);
    }
  }
  if (
    isObject(out.properties) &&
    out.additionalProperties === undefined &&
    out['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

export interface CrdSchema {
  /** kubeconform's path below the CRD schema root: `<group>/<kind>_<version>.json`. */
  readonly path: string;
  readonly schema: JsonObject;
}

/** The schemas of a CustomResourceDefinition's served versions, strict. */
export function crdSchemas(crd: JsonObject): CrdSchema[] {
  const spec = crd.spec;
  if (!isObject(spec) || !isObject(spec.names) || !Array.isArray(spec.versions))
    throw new DeployInputError('not a CustomResourceDefinition');
  const group = spec.group;
  const kind = spec.names.kind;
  if (typeof group !== 'string' || typeof kind !== 'string')
    throw new DeployInputError('CRD without group or kind');
  const out: CrdSchema[] = [];
  for (const version of spec.versions) {
    if (!isObject(version) || version.served === false || typeof version.name !== 'string') continue;
    const schema = isObject(version.schema) ? version.schema.openAPIV3Schema : undefined;
    if (!isObject(schema)) continue;
    const root = strict(schema) as JsonObject;
    // metadata is validated by the API server's own rules; the CRD says only "object".
    if (isObject(root.properties)) root.properties.metadata = { type: 'object' };
    out.push({ path: `${group}/${kind.toLowerCase()}_${version.name}.json`, schema: root });
  }
  return out;
}
