import { describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { exportArrow } from './arrow-export.js';
import type { QueryKind, ResultRecord } from './store.js';

async function* pages(...list: ResultRecord[][]): AsyncGenerator<ResultRecord[]> {
  for (const page of list) yield await Promise.resolve(page);
}

async function exported(kind: QueryKind, list: ResultRecord[][], maxChunkBytes?: number) {
  const chunks: Buffer[] = [];
  const rows = await exportArrow({
    kind,
    pages: pages(...list),
    send: (bytes) => {
      chunks.push(Buffer.from(bytes));
      return Promise.resolve();
    },
    ...(maxChunkBytes === undefined ? {} : { maxChunkBytes }),
  });
  return { rows, chunks, table: tableFromIPC(Buffer.concat(chunks)) };
}

const neuro = (step: number): ResultRecord => ({
  step,
  simTime: step / 10,
  producedAtMs: 1_700_000_000_000 + step,
  score: step / 100,
  payload: {
    anomalyScore: step / 100,
    rawScore: 1,
    spikeRate: 0.5,
    patternId: step % 4,
    novelty: null,
    backend: 'cpu',
    model: 'm',
  },
});

describe('exportArrow', () => {
  it('writes one stream over all pages, in chunks no larger than asked', async () => {
    const { rows, chunks, table } = await exported('neuromorphic', [[neuro(0), neuro(1)], [neuro(2)]], 256);
    expect(rows).toBe(3);
    expect(chunks.every((c) => c.length <= 256)).toBe(true);
    expect(table.numRows).toBe(3);
    expect(table.getChild('step')!.toArray()).toEqual(BigInt64Array.from([0n, 1n, 2n]));
    expect(table.getChild('produced_at')!.get(2)).toBe(1_700_000_000_002);
    expect(table.getChild('pattern_id')!.toArray()).toEqual(Int32Array.from([0, 1, 2]));
    expect(table.getChild('novelty')!.get(0)).toBeNull(); // NaN stored as JSON null stays missing
    expect(table.getChild('backend')!.get(1)).toBe('cpu');
    expect(String(table.schema.fields.find((f) => f.name === 'produced_at')!.type)).toBe(
      'Timestamp<MILLISECOND, UTC>',
    );
  });

  it('names frame columns after the fields, with nulls where a frame lacks one', async () => {
    const frame = (step: number, fields: string[]): ResultRecord => ({
      step,
      simTime: step,
      producedAtMs: step,
      score: 1,
      payload: {
        frameId: `f${step}`,
        bytes: 10,
        fields: fields.map((name) => ({ name, min: 0, max: step, mean: 1, std: 2, l2: 3 })),
      },
    });
    const { table } = await exported('frame', [[frame(0, ['u', 'v']), frame(1, ['u'])]]);
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      'step',
      'sim_time',
      'produced_at',
      'score',
      'frame_id',
      'bytes',
      'u_min',
      'u_max',
      'u_mean',
      'u_std',
      'u_l2',
      'v_min',
      'v_max',
      'v_mean',
      'v_std',
      'v_l2',
    ]);
    expect(table.getChild('u_max')!.toArray()).toEqual(Float64Array.from([0, 1]));
    expect(table.getChild('v_l2')!.get(1)).toBeNull();
  });

  it('writes a readable empty stream (schema, no rows) for an empty range', async () => {
    const { rows, table } = await exported('quantum', []);
    expect(rows).toBe(0);
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toContain('energy');
  });

  it('streams every byte to a consumer that takes chunks as fast as they come', async () => {
    // 3,000 rows in one batch, 25,000 in three: the first stalled after 48 KiB, sends resolving
    // at once (apache-arrow's Node duplex lost the wakeup of its reader).
    for (const [total, pageRows] of [
      [3000, 10_000],
      [25_000, 10_000],
    ] as const) {
      const steps = Array.from({ length: total }, (_, i) => i);
      const list = [];
      for (let at = 0; at < total; at += pageRows) list.push(steps.slice(at, at + pageRows).map(neuro));
      const { rows, table } = await exported('neuromorphic', list, 16 * 1024);
      expect(rows).toBe(total);
      expect(table.numRows).toBe(total);
      expect(Number(table.getChild('step')!.get(total - 1))).toBe(total - 1);
    }
  });

  it('reads the next page only once the previous batch went out', async () => {
    const events: string[] = [];
    async function* slowPages(): AsyncGenerator<ResultRecord[]> {
      for (let page = 0; page < 3; page++) {
        events.push(`read ${page}`);
        yield await Promise.resolve([neuro(page * 2), neuro(page * 2 + 1)]);
      }
    }
    let sent = 0;
    await exportArrow({
      kind: 'neuromorphic',
      pages: slowPages(),
      send: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        events.push(`sent ${++sent}`);
      },
      maxChunkBytes: 1 << 20,
    });
    // One message per batch (schema in front of the first), then the end marker.
    expect(events).toEqual(['read 0', 'sent 1', 'read 1', 'sent 2', 'read 2', 'sent 3', 'sent 4']);
  });

  it('stops when sending fails (client gone)', async () => {
    await expect(
      exportArrow({
        kind: 'neuromorphic',
        pages: pages([neuro(0)], [neuro(1)]),
        send: () => Promise.reject(new Error('gone')),
      }),
    ).rejects.toThrow('gone');
  });
});
