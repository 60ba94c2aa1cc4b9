import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { describe, expect, it, vi } from 'vitest';
import type { pb } from '@simstream/contracts';
import { createLogger } from '@simstream/observability';
import { ResultStreams } from './result-streams.js';
import { SseWriter } from './sse-writer.js';

/** A response that records what was written (the network side of SseWriter). */
class FakeResponse extends EventEmitter {
  text = '';
  ended = false;
  writableNeedDrain = false;
  writableLength = 0;
  setHeader() {
    return this;
  }
  writeHead() {
    return this;
  }
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
  end() {
    this.ended = true;
    this.emit('close');
  }
  events(): { name: string; id?: string; data: unknown }[] {
    return this.text
      .split('\n\n')
      .filter((b) => b.startsWith('event:'))
      .map((b) => {
        const lines = Object.fromEntries(
          b.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        );
        return { name: lines.event!, id: lines.id, data: JSON.parse(lines.data!) as unknown };
      });
  }
}

/** A server stream of results, as grpc-js gives it, driven by the test. */
class FakeTail extends EventEmitter {
  cancelled = false;
  cancel() {
    this.cancelled = true;
    this.emit(
      'error',
      Object.assign(new Error('cancelled'), { code: 1, details: 'cancelled', metadata: { get: () => [] } }),
    );
  }
}

const result = (step: number): pb.Result__Output => ({
  simulationId: 's',
  step,
  kind: 'RESULT_KIND_NEUROMORPHIC',
  simTime: step,
  producedAtMs: 0,
  score: step / 10,
});

const quiet = createLogger({ service: 't', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

function writer(latestOnly = false) {
  const res = new FakeResponse();
  const w = new SseWriter(res as unknown as ServerResponse, { heartbeatMs: 60_000, latestOnly });
  return { res, w };
}

describe('ResultStreams', () => {
  it('shares one upstream among live clients and cancels it when the last one leaves', async () => {
    const opened: { request: pb.TailResultsRequest; tail: FakeTail }[] = [];
    let upstreams = 0;
    const streams = new ResultStreams({
      open: (request) => {
        const tail = new FakeTail();
        opened.push({ request, tail });
        return Promise.resolve(tail as unknown as ClientReadableStream<pb.Result__Output>);
      },
      logger: quiet,
      onUpstreams: (n) => (upstreams = n),
    });
    const a = writer();
    const b = writer();
    const request = {
      tenant: 't',
      simulationId: 's',
      kind: 'RESULT_KIND_NEUROMORPHIC' as const,
      latestOnly: false,
    };
    await Promise.all([streams.subscribe(request, a.w), streams.subscribe(request, b.w)]);
    a.w.start();
    b.w.start();
    expect(opened).toHaveLength(1);
    expect(upstreams).toBe(1);
    opened[0]!.tail.emit('data', result(7));
    expect(a.res.events()).toEqual([
      {
        name: 'result',
        id: '7',
        data: expect.objectContaining({ step: 7, kind: 'neuromorphic', score: 0.7 }),
      },
    ]);
    expect(b.res.events()).toHaveLength(1);
    a.w.close();
    expect(opened[0]!.tail.cancelled).toBe(false);
    b.w.close();
    expect(opened[0]!.tail.cancelled).toBe(true);
    expect(upstreams).toBe(0);
  });

  it('gives a resuming client its own tail from the step, and ends clients with an error event when it fails', async () => {
    const tails: FakeTail[] = [];
    const requests: pb.TailResultsRequest[] = [];
    const streams = new ResultStreams({
      open: (request) => {
        requests.push(request);
        const tail = new FakeTail();
        tails.push(tail);
        return Promise.resolve(tail as unknown as ClientReadableStream<pb.Result__Output>);
      },
      logger: quiet,
    });
    const c = writer();
    await streams.subscribe({ tenant: 't', simulationId: 's', fromStep: 5 }, c.w);
    c.w.start();
    expect(requests[0]!.fromStep).toBe(5);
    tails[0]!.emit('data', result(5));
    tails[0]!.emit(
      'error',
      Object.assign(new Error('x'), { code: 14, details: 'query restarting', metadata: { get: () => [] } }),
    );
    expect(c.res.events().map((e) => e.name)).toEqual(['result', 'error']);
    expect(c.res.events()[1]!.data).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect(c.res.ended).toBe(true);
  });

  it('keeps only the newest event for a lagging latest-only client', () => {
    const { res, w } = writer(true);
    w.start();
    res.writableNeedDrain = true;
    w.event('result', { step: 1 }, 1);
    w.event('result', { step: 2 }, 2);
    expect(res.events()).toEqual([]);
    res.writableNeedDrain = false;
    res.emit('drain');
    expect(res.events()).toEqual([{ name: 'result', id: '2', data: { step: 2 } }]);
    w.close();
  });

  it('starts with retry advice and sends heartbeats as comment lines', () => {
    vi.useFakeTimers();
    try {
      const res = new FakeResponse();
      const w = new SseWriter(res as unknown as ServerResponse, {
        heartbeatMs: 1000,
        latestOnly: false,
        retryMs: 3000,
      });
      w.start();
      expect(res.text).toBe('retry: 3000\n\n');
      vi.advanceTimersByTime(2500);
      expect(res.text).toBe('retry: 3000\n\n: heartbeat\n\n: heartbeat\n\n');
      w.close();
      vi.advanceTimersByTime(5000);
      expect(res.text.match(/heartbeat/g)).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
