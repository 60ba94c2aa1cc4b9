import { describe, expect, it } from 'vitest';
import { InfluxWriter, toLine } from './influx.js';

describe('line protocol', () => {
  it('escapes names, tags and strings, sorts tags, types integers, drops non-finite numbers', () => {
    expect(
      toLine({
        measurement: 'frame stats,v1',
        tags: { simulation: 'sim a', field: 'u=1,2', empty: '' },
        fields: { mean: 0.5, count: { int: 42 }, ok: true, note: 'say "hi" \\ bye', bad: Number.NaN },
        timestampMs: 1_700_000_000_123,
      }),
    ).toBe(
      'frame\\ stats\\,v1,field=u\\=1\\,2,simulation=sim\\ a mean=0.5,count=42i,ok=true,note="say \\"hi\\" \\\\ bye" 1700000000123000000',
    );
    expect(
      toLine({ measurement: 'm', tags: {}, fields: { x: Number.POSITIVE_INFINITY }, timestampMs: 1 }),
    ).toBeUndefined();
  });

  it('posts to the v1 write API with token auth and maps failures', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    let status = 204;
    const writer = new InfluxWriter({
      url: 'http://influx:8086',
      database: 'simstream',
      token: 'tok',
      fetch: (url, init) => {
        calls.push({ url: url instanceof Request ? url.url : url.toString(), init: init! });
        return Promise.resolve(new Response(status === 204 ? null : 'boom', { status }));
      },
    });
    await writer.write([{ measurement: 'm', tags: { s: 'a' }, fields: { v: 1 }, timestampMs: 5 }]);
    expect(calls[0]!.url).toBe('http://influx:8086/write?db=simstream&precision=ns');
    expect(calls[0]!.init.body).toBe('m,s=a v=1 5000000');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Token tok');
    status = 503;
    await expect(
      writer.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, timestampMs: 5 }]),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    status = 400;
    await expect(
      writer.write([{ measurement: 'm', tags: {}, fields: { v: 1 }, timestampMs: 5 }]),
    ).rejects.toMatchObject({ code: 'INFLUX_WRITE_REFUSED' });
  });
});
