import { describe, expect, it } from 'vitest';
import { SimulationVersions, type SimulationMeta } from './versions.js';

function setup(maxAgeMs = 1000) {
  const table = new Map<string, SimulationMeta>([['s', { tenant: 'acme', version: 3 }]]);
  const lookups: string[] = [];
  let now = 0;
  const versions = new SimulationVersions({
    load: (id) => Promise.resolve(table.get(id)),
    maxAgeMs,
    now: () => now,
    onLookup: (source) => lookups.push(source),
  });
  return { table, lookups, versions, advance: (ms: number) => (now += ms) };
}

describe('SimulationVersions', () => {
  it('reads Postgres every time while notifications are down', async () => {
    const { table, lookups, versions } = setup();
    expect(await versions.resolve('s')).toEqual({ tenant: 'acme', version: 3 });
    table.set('s', { tenant: 'acme', version: 4 });
    versions.learn('s', { tenant: 'acme', version: 9 }); // ignored: not live
    expect(await versions.resolve('s')).toEqual({ tenant: 'acme', version: 4 });
    expect(lookups).toEqual(['postgres', 'postgres']);
  });

  it('trusts what it learned while live, keeps the highest version, and forgets on a drop', async () => {
    const { table, lookups, versions } = setup();
    versions.setLive(true);
    await versions.resolve('s');
    versions.learn('s', { tenant: 'acme', version: 5 });
    versions.learn('s', { tenant: 'acme', version: 4 }); // late duplicate
    expect(await versions.resolve('s')).toEqual({ tenant: 'acme', version: 5 });
    expect(lookups).toEqual(['postgres', 'local']);
    versions.setLive(false);
    versions.setLive(true);
    table.set('s', { tenant: 'acme', version: 7 });
    expect(await versions.resolve('s')).toEqual({ tenant: 'acme', version: 7 });
    expect(lookups.at(-1)).toBe('postgres');
  });

  it('re-reads an entry older than the maximum age (a lost notification costs at most that)', async () => {
    const { table, versions, advance } = setup(1000);
    versions.setLive(true);
    await versions.resolve('s');
    table.set('s', { tenant: 'acme', version: 8 });
    advance(999);
    expect((await versions.resolve('s'))?.version).toBe(3);
    advance(2);
    expect((await versions.resolve('s'))?.version).toBe(8);
  });

  it('does not remember simulations that do not exist', async () => {
    const { lookups, versions } = setup();
    versions.setLive(true);
    expect(await versions.resolve('nope')).toBeUndefined();
    expect(await versions.resolve('nope')).toBeUndefined();
    expect(lookups).toEqual(['postgres', 'postgres']);
  });
});
