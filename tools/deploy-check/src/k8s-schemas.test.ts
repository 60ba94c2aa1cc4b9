import { describe, expect, it } from 'vitest';
import { bundleKindSchema, crdSchemas, kindSchemaName, type JsonObject } from './k8s-schemas.js';

describe('kindSchemaName', () => {
  it('follows kubeconform file names', () => {
    expect(kindSchemaName('apps/v1', 'Deployment')).toBe('deployment-apps-v1');
    expect(kindSchemaName('v1', 'ConfigMap')).toBe('configmap-v1');
    expect(kindSchemaName('networking.k8s.io/v1', 'NetworkPolicy')).toBe('networkpolicy-networking-v1');
    expect(kindSchemaName('autoscaling/v2', 'HorizontalPodAutoscaler')).toBe(
      'horizontalpodautoscaler-autoscaling-v2',
    );
  });
});

describe('bundleKindSchema', () => {
  const definitions = {
    $defs: {
      A: { type: 'object', properties: { b: { $ref: '#/$defs/B' } } },
      B: { type: 'object', properties: { self: { $ref: '#/$defs/B' } } },
      Unused: { type: 'string' },
    },
  };
  it('inlines exactly the reachable definitions, recursive ones included', () => {
    const out = bundleKindSchema(
      { $id: 'x', type: 'object', properties: { a: { $ref: '/api/_definitions.json#/$defs/A' } } },
      definitions,
    );
    expect(out.$id).toBeUndefined();
    expect(out.properties).toEqual({ a: { $ref: '#/$defs/A' } });
    expect(Object.keys(out.$defs as object).sort()).toEqual(['A', 'B']);
  });
  it('fails on a definition that does not exist', () => {
    expect(() =>
      bundleKindSchema({ properties: { a: { $ref: '/api/_definitions.json#/$defs/Nope' } } }, definitions),
    ).toThrow(/Nope/);
  });
});

describe('crdSchemas', () => {
  const crd: JsonObject = {
    spec: {
      group: 'kafka.strimzi.io',
      names: { kind: 'KafkaTopic' },
      versions: [
        { name: 'v1beta2', served: false, schema: { openAPIV3Schema: { type: 'object' } } },
        {
          name: 'v1',
          served: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                metadata: { type: 'object' },
                spec: {
                  type: 'object',
                  properties: {
                    partitions: { type: 'integer' },
                    config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {} },
                    // a property literally named "properties" stays a property
                    properties: { type: 'object', properties: { x: { type: 'string' } } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
  it('keeps served versions and makes objects strict unless they preserve unknown fields', () => {
    const [only, ...rest] = crdSchemas(crd);
    expect(rest).toEqual([]);
    expect(only!.path).toBe('kafka.strimzi.io/kafkatopic_v1.json');
    const spec = (only!.schema.properties as JsonObject).spec as {
      additionalProperties?: boolean;
      properties: Record<string, JsonObject>;
    };
    expect(spec.additionalProperties).toBe(false);
    expect(spec.properties.config!.additionalProperties).toBeUndefined();
    expect(spec.properties.properties!.additionalProperties).toBe(false);
    expect(spec.properties.partitions!).toEqual({ type: 'integer' });
  });
});
