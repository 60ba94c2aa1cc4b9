import { describe, expect, it } from 'vitest';
import type { StreamFramesResponse, pb } from '@simstream/contracts';
import { createLogger, createMetricsRegistry } from '@simstream/observability';
import { subscriptionOf } from './analysis-events.js';
import { EventStream, type EventOutput } from './event-stream.js';
import { IngestMetrics } from './metrics.js';
import type { ResultTails, TailCallbacks, TailHandle, TailRequest } from './result-tails.js';

/** Tails the test drives: each open is recorded; results and errors are pushed by hand. */
class ScriptedTails implements ResultTails {
  readonly opens: { request: TailRequest; callbacks: TailCallbacks; paused: boolean; cancelled: boolean }[] =
    [];
  failOpens = 0;
  open(request: TailRequest, callbacks: TailCallbacks): Promise<TailHandle> {
    if (this.failOpens > 0) {
      this.failOpens--;
      return Promise.reject(Object.assign(new Error('query down'), { code: 14 }));
    }
    const entry = { request, callbacks, paused: false, cancelled: false };
    this.opens.push(entry);
    return Promise.resolve({
      pause: () => (entry.paused = true),
      resume: () => (entry.paused = false),
      cancel: () => (entry.cancelled = true),
    });
  }
  last(kind: string) {
    return this.opens.filter((o) => o.request.kind === kind).at(-1)!;
  }
  close(): void {}
}

class Output implements EventOutput {
  readonly written: StreamFramesResponse[] = [];
  room = true;
  private drained: (() => void)[] = [];
  write(message: StreamFramesResponse): void {
    this.written.push(message);
  }
  canWrite(): boolean {
    return this.room;
  }
  onceDrained(listener: () => void): void {
    this.drained.push(listener);
  }
  drain(): void {
    this.room = true;
    const listeners = this.drained;
    this.drained = [];
    for (const l of listeners) l();
  }
  steps(): [string, number][] {
    return this.written.map((m) => [String(m.event?.kind).slice(20), Number(m.event?.step)]);
  }
}

function neuro(step: number, anomalyScore: number, patternId = 1): pb.Result__Output {
  return {
    simulationId: 'sim',
    step,
    kind: 'RESULT_KIND_NEUROMORPHIC',
    simTime: step,
    producedAtMs: Date.now(),
    score: anomalyScore,
    neuromorphic: {
      anomalyScore,
      rawScore: 0,
      featureNames: [],
      features: [],
      prediction: [],
      spikeRate: 0,
      patternId,
      novelty: 0,
      processingMs: 0,
      backend: 'cpu',
      model: 'lif',
    },
    output: 'neuromorphic',
  };
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(
  options: { kinds?: string[]; sinceStep?: number; lastDurableStep?: number; maxQueued?: number } = {},
) {
  const tails = new ScriptedTails();
  const out = new Output();
  const registry = createMetricsRegistry({ service: 'test', defaultMetrics: false });
  const metrics = new IngestMetrics(registry);
  const stream = new EventStream(
    {
      tails,
      metrics,
      logger: createLogger({ service: 'test', level: 'error' }),
      maxQueued: options.maxQueued ?? 256,
      retry: { baseMs: 1, maxMs: 2 },
    },
    out,
    {
      tenant: 'acme',
      simulationId: 'sim',
      subscription: subscriptionOf({
        kinds: (options.kinds ?? []) as never,
        anomalyThreshold: 0.5,
        ...(options.sinceStep === undefined ? {} : { sinceStep: options.sinceStep }),
      }),
      lastDurableStep: options.lastDurableStep,
      streamId: 's1',
    },
  );
  return { tails, out, metrics, stream };
}

describe('EventStream', () => {
  it("follows the kinds it needs for the stream's tenant, from the durable step at open", async () => {
    const { tails, stream } = setup({ lastDurableStep: 9 });
    await tick();
    expect(tails.opens.map((o) => o.request)).toEqual([
      { tenant: 'acme', simulationId: 'sim', kind: 'RESULT_KIND_NEUROMORPHIC', fromStep: 9 },
      { tenant: 'acme', simulationId: 'sim', kind: 'RESULT_KIND_QUANTUM', fromStep: 10 },
    ]);
    stream.stop();
    expect(tails.opens.every((o) => o.cancelled)).toBe(true);
  });

  it('opens no quantum tail when only anomalies are wanted', async () => {
    const { tails, stream } = setup({ kinds: ['ANALYSIS_EVENT_KIND_ANOMALY'] });
    await tick();
    expect(tails.opens.map((o) => o.request.kind)).toEqual(['RESULT_KIND_NEUROMORPHIC']);
    stream.stop();
  });

  it('writes events as results come, and resumes after a failure from the step after the last seen', async () => {
    const { tails, out, metrics, stream } = setup({
      kinds: ['ANALYSIS_EVENT_KIND_ANOMALY', 'ANALYSIS_EVENT_KIND_PATTERN_CHANGE'],
    });
    await tick();
    const first = tails.last('RESULT_KIND_NEUROMORPHIC');
    first.callbacks.onResult(neuro(0, 0.9, 1));
    first.callbacks.onResult(neuro(1, 0.1, 2));
    expect(out.steps()).toEqual([
      ['ANOMALY', 0],
      ['PATTERN_CHANGE', 1],
    ]);
    tails.failOpens = 2;
    first.callbacks.onEnd(Object.assign(new Error('gone'), { code: 14 }));
    await tick(30);
    const again = tails.last('RESULT_KIND_NEUROMORPHIC');
    expect(again).not.toBe(first);
    expect(again.request.fromStep).toBe(2);
    // The pattern is remembered across the reconnect.
    again.callbacks.onResult(neuro(2, 0.1, 3));
    expect(out.steps().at(-1)).toEqual(['PATTERN_CHANGE', 2]);
    const errors = await metrics.eventFollowErrors.get();
    expect(errors.values.reduce((n, v) => n + v.value, 0)).toBe(3);
    const sent = await metrics.eventsSent.get();
    expect(sent.values.map((v) => [v.labels.kind, v.value])).toEqual([
      ['anomaly', 1],
      ['pattern_change', 2],
    ]);
    stream.stop();
  });

  it('waits out NOT_FOUND (nothing materialized yet) without counting an error', async () => {
    const { tails, metrics, stream } = setup({ kinds: ['ANALYSIS_EVENT_KIND_ANOMALY'] });
    await tick();
    tails.last('RESULT_KIND_NEUROMORPHIC').callbacks.onEnd(Object.assign(new Error('nf'), { code: 5 }));
    await tick(200);
    expect(tails.opens.length).toBe(2);
    expect((await metrics.eventFollowErrors.get()).values).toEqual([]);
    stream.stop();
  });

  it('holds events while the call has no room, pauses the tail, and drops the oldest past capacity', async () => {
    const { tails, out, metrics, stream } = setup({ kinds: ['ANALYSIS_EVENT_KIND_ANOMALY'], maxQueued: 4 });
    await tick();
    const tail = tails.last('RESULT_KIND_NEUROMORPHIC');
    out.room = false;
    tail.callbacks.onResult(neuro(0, 0.9));
    tail.callbacks.onResult(neuro(1, 0.9));
    expect(out.written).toEqual([]);
    expect(tail.paused).toBe(true); // at half of capacity
    for (let s = 2; s < 6; s++) tail.callbacks.onResult(neuro(s, 0.9)); // results already in flight
    expect((await metrics.eventsDropped.get()).values.map((v) => [v.labels.kind, v.value])).toEqual([
      ['anomaly', 2],
    ]);
    out.drain();
    expect(out.steps().map(([, step]) => step)).toEqual([2, 3, 4, 5]);
    expect(out.written[0]!.event!.droppedBefore).toBe(2);
    expect(tail.paused).toBe(false);
    stream.stop();
  });

  it('stops following when the stream ends', async () => {
    const { tails, out, stream } = setup({ kinds: ['ANALYSIS_EVENT_KIND_ANOMALY'] });
    await tick();
    stream.stop();
    tails.last('RESULT_KIND_NEUROMORPHIC').callbacks.onResult(neuro(0, 0.9));
    await tick(20);
    expect(out.written).toEqual([]);
    expect(tails.opens.length).toBe(1);
  });
});
