import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FRAME_LIMITS,
  RecordName,
  createRegistry,
  type Frame,
  type ProtoFrameOutput,
  type StreamFramesResponse,
} from '@simstream/contracts';
import { UnavailableError } from '@simstream/errors';
import type { Delivery, OutRecord } from '@simstream/kafka';
import { createLogger, createMetricsRegistry } from '@simstream/observability';
import { ByteBudget } from './byte-budget.js';
import { Ingestor, type FrameSink } from './ingestor.js';
import { IngestMetrics } from './metrics.js';
import { MemoryProgressStore } from './progress.js';
import { SessionRegistry, StreamSession, type StreamCall } from './stream-session.js';

/** A sink whose writes complete when the test says so (Kafka stands still until then). */
class ManualSink implements FrameSink {
  readonly pending: {
    records: readonly OutRecord[];
    resolve: (d: Delivery[]) => void;
    reject: (e: Error) => void;
  }[] = [];
  private offset = 0;
  send(records: readonly OutRecord[]): Promise<Delivery[]> {
    return new Promise((resolve, reject) => this.pending.push({ records, resolve, reject }));
  }
  completeNext(n = 1): void {
    for (let i = 0; i < n; i++) {
      const p = this.pending.shift()!;
      p.resolve(p.records.map((r) => ({ topic: r.topic, partition: 3, offset: this.offset++ })));
    }
  }
  failNext(error: Error): void {
    this.pending.shift()!.reject(error);
  }
}

class FakeCall implements StreamCall {
  readonly written: StreamFramesResponse[] = [];
  ended: { error?: unknown } | undefined;
  paused = false;
  pauses = 0;
  write(message: StreamFramesResponse): void {
    this.written.push(message);
  }
  end(error?: unknown): void {
    this.ended = { error };
  }
  pause(): void {
    this.paused = true;
    this.pauses++;
  }
  resume(): void {
    this.paused = false;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function frame(step: number, bytes = 16, simulationId = ''): ProtoFrameOutput {
  return {
    simulationId,
    step,
    simTime: step,
    fields: [
      { name: 'u', dtype: 'DTYPE_UINT8', shape: [bytes], codec: 'CODEC_NONE', data: Buffer.alloc(bytes) },
    ],
    attributes: {},
  };
}

function setup(options: { streamBudget?: number; processBudget?: number } = {}) {
  const sink = new ManualSink();
  const progress = new MemoryProgressStore();
  const metrics = new IngestMetrics(createMetricsRegistry({ service: 'test', defaultMetrics: false }));
  const logger = createLogger({
    service: 'test',
    level: 'silent',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const ingestor = new Ingestor({
    sinkFor: () => sink,
    registry: createRegistry(),
    progress,
    serverId: 't',
    topics: { frames: 'f', progress: 'p' },
    maxRecordBytes: 1 << 20,
    chunkBytes: 1 << 19,
  });
  const deps = {
    ingestor,
    progress,
    limits: DEFAULT_FRAME_LIMITS,
    streamBudgetBytes: options.streamBudget ?? 1 << 20,
    processBudget: new ByteBudget(options.processBudget ?? 1 << 30),
    metrics,
    logger,
    serverId: 't',
    sessions: new SessionRegistry(),
    progressTimeoutMs: 1000,
    chunkBytes: 1 << 19,
  };
  const call = new FakeCall();
  const session = new StreamSession(call, deps);
  return { sink, progress, call, session, deps };
}

const summary = (m: StreamFramesResponse) =>
  m.opened
    ? `opened ${String(m.opened.lastDurableStep ?? '-')}`
    : m.ack
      ? `ack ${String(m.ack.step)}`
      : `reject ${String(m.rejected!.step)} ${m.rejected!.reason}`;

describe('StreamSession', () => {
  it('answers in send order: rejections wait behind earlier frames still in Kafka', async () => {
    const { sink, call, session } = setup();
    session.onMessage({ open: { simulationId: 'sim-a', attributes: {} } });
    session.onMessage({ frame: frame(1) });
    session.onMessage({ frame: frame(2, 16, 'someone-else') });
    session.onMessage({ frame: frame(3) });
    await tick();
    expect(call.written.map(summary)).toEqual(['opened -']);
    expect(sink.pending).toHaveLength(2); // frames 1 and 3 both handed to Kafka, writes overlap
    sink.completeNext(2);
    await tick();
    expect(call.written.map(summary)).toEqual([
      'opened -',
      'ack 1',
      'reject 2 SIMULATION_ID_MISMATCH',
      'ack 3',
    ]);
    expect(call.written[1]!.ack).toMatchObject({ partition: 3, offset: 0, chunks: 1, lastDurableStep: 1 });
  });

  it("stamps every frame with the stream's attributes, frame attributes first", async () => {
    const { sink, call, session } = setup();
    session.onMessage({
      open: { simulationId: 'sim-attrs', attributes: { kind: 'lbm-cylinder', units: 'lattice' } },
    });
    session.onMessage({ frame: { ...frame(1), attributes: { units: 'SI' } } });
    await tick();
    const registry = createRegistry();
    const written = registry.decodeAs<Frame>(RecordName.Frame, sink.pending[0]!.records[0]!.value);
    expect(written.attributes).toEqual({ kind: 'lbm-cylinder', units: 'SI' });
    sink.completeNext();
    await tick();
    expect(call.written.map(summary)).toEqual(['opened -', 'ack 1']);
  });

  it('resumes after the last durable step and refuses steps at or before it', async () => {
    const { progress, call, session, sink } = setup();
    progress.markDurable({
      simulationId: 'sim-b',
      lastDurableStep: 41,
      frameId: 'x',
      serverId: 't',
      updatedAt: 0,
    });
    session.onMessage({ open: { simulationId: 'sim-b', attributes: {} } });
    session.onMessage({ frame: frame(41) });
    session.onMessage({ frame: frame(42) });
    await tick();
    sink.completeNext();
    await tick();
    expect(call.written.map(summary)).toEqual(['opened 41', 'reject 41 STEP_NOT_INCREASING', 'ack 42']);
  });

  it('stops reading when the stream budget is spent and resumes when acks release it', async () => {
    const { sink, call, session } = setup({ streamBudget: 100 });
    session.onMessage({ open: { simulationId: 'sim-c', attributes: {} } });
    for (let step = 1; step <= 3; step++) session.onMessage({ frame: frame(step, 40) });
    expect(call.paused).toBe(true); // 120 bytes in flight > 100
    await tick();
    sink.completeNext();
    await tick();
    expect(call.paused).toBe(false); // 80 bytes left
    sink.completeNext(2);
    await tick();
    expect(call.written.map(summary)).toEqual(['opened -', 'ack 1', 'ack 2', 'ack 3']);
  });

  it('shares the process budget: a stream waits for others to release bytes', async () => {
    const shared = new ByteBudget(50);
    const a = setup();
    const b = setup();
    const sessionA = new StreamSession(a.call, { ...a.deps, processBudget: shared });
    const callB = new FakeCall();
    const sessionB = new StreamSession(callB, { ...b.deps, processBudget: shared });
    sessionA.onMessage({ open: { simulationId: 'sim-d', attributes: {} } });
    sessionA.onMessage({ frame: frame(1, 60) });
    sessionB.onMessage({ open: { simulationId: 'sim-e', attributes: {} } });
    sessionB.onMessage({ frame: frame(1, 10) });
    expect(a.call.paused && callB.paused).toBe(true);
    await tick();
    a.sink.completeNext();
    await tick();
    expect(callB.paused).toBe(false); // A's release woke B
  });

  it('ends the stream with the write failure after the answers already due, and cancels the rest', async () => {
    const { sink, call, session } = setup();
    session.onMessage({ open: { simulationId: 'sim-f', attributes: {} } });
    for (let step = 1; step <= 3; step++) session.onMessage({ frame: frame(step) });
    await tick();
    sink.completeNext();
    sink.failNext(new UnavailableError('kafka', 'no successful write for 30000 ms'));
    await tick();
    expect(call.written.map(summary)).toEqual(['opened -', 'ack 1']);
    expect(call.ended?.error).toBeInstanceOf(UnavailableError);
  });

  it('half-close ends with OK once every frame is answered', async () => {
    const { sink, call, session } = setup();
    session.onMessage({ open: { simulationId: 'sim-g', attributes: {} } });
    session.onMessage({ frame: frame(1) });
    session.onEnd();
    await tick();
    expect(call.ended).toBeUndefined();
    sink.completeNext();
    await tick();
    expect(call.ended).toEqual({ error: undefined });
  });

  it('refuses frames before OpenStream', async () => {
    const { call, session } = setup();
    session.onMessage({ frame: frame(1) });
    await tick();
    expect(call.ended?.error).toMatchObject({ code: 'STREAM_NOT_OPEN' });
  });
});
