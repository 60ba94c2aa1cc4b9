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
import { memoryOwnership, type Ownership } from '@simstream/auth';
import { UnavailableError } from '@simstream/errors';
import type { Delivery, OutRecord } from '@simstream/kafka';
import { createLogger, createMetricsRegistry } from '@simstream/observability';
import { Status, errorStatus } from '@simstream/rpc';
import { ByteBudget } from './byte-budget.js';
import { Ingestor, type FrameSink } from './ingestor.js';
import { IngestMetrics } from './metrics.js';
import { MemoryProgressStore } from './progress.js';
import type { SimulationWriter, SimulationWriters } from './simulation-writers.js';
import { SessionRegistry } from './session-registry.js';
import { StreamSession, type StreamCall } from './stream-session.js';
import type { EventStreamDeps } from './event-stream.js';
import type { TailCallbacks, TailRequest } from './result-tails.js';

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

/** Writers over one ManualSink that log when each simulation's writer opens and closes. */
class FakeWriters implements SimulationWriters {
  readonly events: string[] = [];
  constructor(private readonly sink: ManualSink) {}
  open(simulationId: string): Promise<SimulationWriter> {
    const n = this.events.filter((e) => e.startsWith('open')).length + 1;
    this.events.push(`open ${simulationId} #${n}`);
    return Promise.resolve({
      send: (records) => this.sink.send(records),
      close: () => {
        this.events.push(`close ${simulationId} #${n}`);
        return Promise.resolve();
      },
    });
  }
  unavailableForMs(): number | undefined {
    return undefined;
  }
}

function setup(
  options: {
    streamBudget?: number;
    processBudget?: number;
    shared?: {
      sink: ManualSink;
      progress: MemoryProgressStore;
      sessions: SessionRegistry;
      writers: FakeWriters;
      ownership: Ownership;
    };
    tenant?: string;
    events?: EventStreamDeps;
  } = {},
) {
  const sink = options.shared?.sink ?? new ManualSink();
  const progress = options.shared?.progress ?? new MemoryProgressStore();
  const writers = options.shared?.writers ?? new FakeWriters(sink);
  const sessions = options.shared?.sessions ?? new SessionRegistry();
  const ownership = options.shared?.ownership ?? memoryOwnership();
  const metrics = new IngestMetrics(createMetricsRegistry({ service: 'test', defaultMetrics: false }));
  const logger = createLogger({
    service: 'test',
    level: 'silent',
    destination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const ingestor = new Ingestor({
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
    sessions,
    writers,
    progressTimeoutMs: 1000,
    chunkBytes: 1 << 19,
    ownership,
    ...(options.events === undefined ? {} : { events: options.events }),
  };
  const call = new FakeCall();
  const session = new StreamSession(call, deps, { tenant: options.tenant ?? 'acme' });
  return { sink, progress, call, session, deps, shared: { sink, progress, sessions, writers, ownership } };
}

const summary = (m: StreamFramesResponse) =>
  m.opened
    ? `opened ${String(m.opened.lastDurableStep ?? '-')}`
    : m.ack
      ? `ack ${String(m.ack.step)}`
      : m.rejected
        ? `reject ${String(m.rejected.step)} ${m.rejected.reason}`
        : `event ${String(m.event!.kind)} ${String(m.event!.step)}`;

describe('StreamSession', () => {
  it('answers in send order: rejections wait behind earlier frames still in Kafka', async () => {
    const { sink, call, session } = setup();
    session.onMessage({ open: { simulationId: 'sim-a', attributes: {}, events: null } });
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
      open: {
        simulationId: 'sim-attrs',
        attributes: { kind: 'lbm-cylinder', units: 'lattice' },
        events: null,
      },
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
    session.onMessage({ open: { simulationId: 'sim-b', attributes: {}, events: null } });
    session.onMessage({ frame: frame(41) });
    session.onMessage({ frame: frame(42) });
    await tick();
    sink.completeNext();
    await tick();
    expect(call.written.map(summary)).toEqual(['opened 41', 'reject 41 STEP_NOT_INCREASING', 'ack 42']);
  });

  it('stops reading when the stream budget is spent and resumes when acks release it', async () => {
    const { sink, call, session } = setup({ streamBudget: 100 });
    session.onMessage({ open: { simulationId: 'sim-c', attributes: {}, events: null } });
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
    sessionA.onMessage({ open: { simulationId: 'sim-d', attributes: {}, events: null } });
    sessionA.onMessage({ frame: frame(1, 60) });
    sessionB.onMessage({ open: { simulationId: 'sim-e', attributes: {}, events: null } });
    sessionB.onMessage({ frame: frame(1, 10) });
    expect(a.call.paused && callB.paused).toBe(true);
    await tick();
    a.sink.completeNext();
    await tick();
    expect(callB.paused).toBe(false); // A's release woke B
  });

  it('ends the stream with the write failure after the answers already due, and cancels the rest', async () => {
    const { sink, call, session } = setup();
    session.onMessage({ open: { simulationId: 'sim-f', attributes: {}, events: null } });
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
    session.onMessage({ open: { simulationId: 'sim-g', attributes: {}, events: null } });
    session.onMessage({ frame: frame(1) });
    session.onEnd();
    await tick();
    expect(call.ended).toBeUndefined();
    sink.completeNext();
    await tick();
    expect(call.ended).toEqual({ error: undefined });
  });

  // The race seen from outside: the client is killed and reconnects within milliseconds while
  // the dead stream's frames are still in Kafka. The new stream used to report the durable step
  // at once (123), the old writes then committed up to 247, and the client resent 124-247.
  it('a reconnect waits for the vanished stream: its in-flight frames settle before the step is reported', async () => {
    const first = setup();
    first.session.onMessage({ open: { simulationId: 'sim-race', attributes: {}, events: null } });
    for (let step = 1; step <= 3; step++) first.session.onMessage({ frame: frame(step) });
    await tick();
    expect(first.sink.pending).toHaveLength(3);
    first.session.onCancelled(); // the client process died; its frames are still in flight

    const second = setup({ shared: first.shared });
    second.session.onMessage({ open: { simulationId: 'sim-race', attributes: {}, events: null } });
    await tick();
    expect(second.call.written).toEqual([]); // nothing reported while old writes may land
    first.sink.completeNext(3);
    await tick();
    expect(second.call.written.map(summary)).toEqual(['opened 3']);
    // The old writer was closed before the new one fenced it in Kafka.
    expect(first.shared.writers.events).toEqual([
      'open sim-race #1',
      'close sim-race #1',
      'open sim-race #2',
    ]);
    second.session.onMessage({ frame: frame(3) });
    second.session.onMessage({ frame: frame(4) });
    await tick();
    first.sink.completeNext();
    await tick();
    expect(second.call.written.map(summary)).toEqual(['opened 3', 'reject 3 STEP_NOT_INCREASING', 'ack 4']);
  });

  it('a live stream taken over by a newer one ends with ABORTED, not a retriable status', async () => {
    const first = setup();
    first.session.onMessage({ open: { simulationId: 'sim-taken', attributes: {}, events: null } });
    first.session.onMessage({ frame: frame(1) });
    await tick();
    const second = setup({ shared: first.shared });
    second.session.onMessage({ open: { simulationId: 'sim-taken', attributes: {}, events: null } });
    await tick();
    expect(first.call.ended?.error).toMatchObject({ code: 'STREAM_SUPERSEDED' });
    expect(errorStatus(first.call.ended?.error).code).toBe(Status.ABORTED);
    first.sink.completeNext();
    await tick();
    expect(second.call.written.map(summary)).toEqual(['opened 1']);
  });

  it("another tenant's stream gets NOT_FOUND and never supersedes the owner's stream", async () => {
    const owner = setup();
    owner.session.onMessage({ open: { simulationId: 'sim-owned', attributes: {}, events: null } });
    await tick();
    const intruder = setup({ shared: owner.shared, tenant: 'mallory' });
    intruder.session.onMessage({ open: { simulationId: 'sim-owned', attributes: {}, events: null } });
    await tick();
    expect(intruder.call.ended?.error).toMatchObject({ code: 'SIMULATION_NOT_FOUND' });
    expect(errorStatus(intruder.call.ended?.error).code).toBe(Status.NOT_FOUND);
    expect(intruder.call.written).toEqual([]);
    expect(owner.call.ended).toBeUndefined();
  });

  it('ends UNAVAILABLE when the progress cannot be read, instead of never answering', async () => {
    const { progress, call, session } = setup();
    progress.waitUntilCurrent = () => Promise.reject(new Error('connect ECONNREFUSED'));
    session.onMessage({ open: { simulationId: 'sim-offsets', attributes: {}, events: null } });
    await tick();
    expect(call.ended?.error).toBeInstanceOf(UnavailableError);
    expect(call.written).toEqual([]);
  });

  it('refuses frames before OpenStream', async () => {
    const { call, session } = setup();
    session.onMessage({ frame: frame(1) });
    await tick();
    expect(call.ended?.error).toMatchObject({ code: 'STREAM_NOT_OPEN' });
  });

  describe('analysis events', () => {
    function eventDeps(metrics: IngestMetrics) {
      const opened: { request: TailRequest; callbacks: TailCallbacks }[] = [];
      const deps: EventStreamDeps = {
        tails: {
          open: (request, callbacks) => {
            opened.push({ request, callbacks });
            return Promise.resolve({
              pause: () => undefined,
              resume: () => undefined,
              cancel: () => undefined,
            });
          },
          close: () => undefined,
        },
        metrics,
        logger: createLogger({ service: 'test', level: 'silent' }),
        maxQueued: 16,
        retry: { baseMs: 1, maxMs: 2 },
      };
      return { deps, opened };
    }

    it("a stream that opts in gets its simulation's events between the acks, for its tenant", async () => {
      const metrics = new IngestMetrics(createMetricsRegistry({ service: 'test', defaultMetrics: false }));
      const { deps, opened } = eventDeps(metrics);
      const { sink, call, session } = setup({ events: deps, tenant: 'tenant-a' });
      session.onMessage({
        open: {
          simulationId: 'sim-events',
          attributes: {},
          events: { kinds: ['ANALYSIS_EVENT_KIND_ANOMALY'], anomalyThreshold: 0.5 },
        },
      });
      session.onMessage({ frame: frame(1) });
      await tick();
      sink.completeNext();
      await tick();
      expect(opened.map((o) => o.request)).toEqual([
        { tenant: 'tenant-a', simulationId: 'sim-events', kind: 'RESULT_KIND_NEUROMORPHIC', fromStep: 0 },
      ]);
      opened[0]!.callbacks.onResult({
        simulationId: 'sim-events',
        step: 1,
        kind: 'RESULT_KIND_NEUROMORPHIC',
        simTime: 1,
        producedAtMs: Date.now(),
        score: 0.7,
        neuromorphic: {
          anomalyScore: 0.7,
          rawScore: 0,
          featureNames: [],
          features: [],
          prediction: [],
          spikeRate: 0,
          patternId: 0,
          novelty: 0,
          processingMs: 0,
          backend: 'cpu',
          model: 'lif',
        },
      });
      expect(call.written.map(summary)).toEqual(['opened -', 'ack 1', 'event ANALYSIS_EVENT_KIND_ANOMALY 1']);
      session.onEnd();
      await tick();
      expect(call.ended).toEqual({ error: undefined });
    });

    it('a stream that does not opt in follows nothing', async () => {
      const metrics = new IngestMetrics(createMetricsRegistry({ service: 'test', defaultMetrics: false }));
      const { deps, opened } = eventDeps(metrics);
      const { call, session } = setup({ events: deps });
      session.onMessage({ open: { simulationId: 'sim-quiet', attributes: {}, events: null } });
      await tick();
      expect(call.written.map(summary)).toEqual(['opened -']);
      expect(opened).toEqual([]);
    });

    it('refuses a bad subscription before taking the simulation', async () => {
      const metrics = new IngestMetrics(createMetricsRegistry({ service: 'test', defaultMetrics: false }));
      const { deps } = eventDeps(metrics);
      const { call, session, shared } = setup({ events: deps });
      session.onMessage({
        open: { simulationId: 'sim-bad', attributes: {}, events: { kinds: [], anomalyThreshold: 2 } },
      });
      await tick();
      expect(errorStatus(call.ended?.error).reason).toBe('EVENT_THRESHOLD_INVALID');
      expect(shared.writers.events).toEqual([]);
    });

    it('refuses events where the server has none configured', async () => {
      const { call, session } = setup();
      session.onMessage({ open: { simulationId: 'sim-none', attributes: {}, events: { kinds: [] } } });
      await tick();
      expect(errorStatus(call.ended?.error)).toMatchObject({
        code: Status.FAILED_PRECONDITION,
        reason: 'EVENTS_UNAVAILABLE',
      });
    });
  });
});
