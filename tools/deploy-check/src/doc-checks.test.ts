import { describe, expect, it } from 'vitest';
import { checkDocumentedEnv, documentedVariables } from './doc-checks.js';
import type { ServiceEnvSpec } from './service-env.js';

const spec: ServiceEnvSpec = {
  service: 'quantum',
  source: 'schema',
  known: new Set(['KAFKA_BROKERS', 'QUANTUM_EVERY_STEPS', 'OPS_PORT']),
  required: new Set(),
};

describe('documented variables', () => {
  it('finds backticked UPPER_SNAKE names only', () => {
    expect([
      ...documentedVariables('`KAFKA_BROKERS` and `OPS_PORT`, not KAFKA_SSL or `kafka_x` or `HTTP`'),
    ]).toEqual(['KAFKA_BROKERS', 'OPS_PORT']);
  });

  it('names each variable the README misses, and each own-family variable it invents', () => {
    const md =
      'Errors: `QUANTUM_SOLVE_FAILED`.\n| `KAFKA_BROKERS` | … |\n| `QUANTUM_EVERY_STEP` | typo |\n| `QUERY_ROLES` | another service |';
    expect(checkDocumentedEnv(spec, md, 'README', new Set(['QUERY_ROLES']))).toEqual([
      'README does not document OPS_PORT, which quantum reads',
      'README does not document QUANTUM_EVERY_STEPS, which quantum reads',
      'README documents QUANTUM_EVERY_STEP, which quantum does not read',
    ]);
  });

  it('takes a backticked family (`KAFKA_*`) as documenting all of its variables', () => {
    expect(
      checkDocumentedEnv(spec, '`KAFKA_*` `QUANTUM_EVERY_STEPS` `OPS_PORT`', 'README', new Set()),
    ).toEqual([]);
  });

  it('passes a README that names exactly what the service reads', () => {
    expect(
      checkDocumentedEnv(spec, '`KAFKA_BROKERS` `QUANTUM_EVERY_STEPS` `OPS_PORT`', 'README', new Set()),
    ).toEqual([]);
  });
});
