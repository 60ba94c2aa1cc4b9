import { describe, expect, it } from 'vitest';
import { MethodIndex } from './method-index.js';

describe('MethodIndex', () => {
  it('lists the methods routed for a concrete path', () => {
    const index = new MethodIndex();
    index.add(['GET', 'HEAD'], '/v1/simulations/:id');
    index.add('DELETE', '/v1/jobs/:id');
    index.add('GET', '/v1/jobs/:id');
    index.add('GET', '/docs/*');
    expect(index.allowed('/v1/simulations/abc')).toEqual(['GET', 'HEAD']);
    expect(index.allowed('/v1/jobs/42/')).toEqual(['DELETE', 'GET']);
    expect(index.allowed('/docs/static/x.js')).toEqual(['GET']);
    expect(index.allowed('/v1/simulations/abc/nothing')).toEqual([]);
  });
});
