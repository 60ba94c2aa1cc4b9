/**
 * Merges the detector steps requested by concurrently handled partitions into one tensor op per
 * detector: requests made in the same turn of the event loop run together at the next
 * setImmediate. Partition handlers proceed round by round, so their rounds stay in lockstep and
 * each op serves every simulation that has a frame in hand.
 *
 * An op never runs a single stream: a lone stream is paired with a constant padding stream.
 * The reason is determinism. Measured on the WASM backend, a stream's results are bit-identical
 * whatever the batch size (≥ 2), its position or its neighbours, but a batch of one takes other
 * kernels and differs in the last bits, and the spiking dynamics amplify that. With padding, a
 * frame re-processed after a crash, in whatever company, gives the result it gave the first time.
 */
import type { StreamInput, StreamResult } from '@simstream/neuro';
import type { StreamDetector } from './detector-bank.js';

/** Stream id of the padding stream (simulation ids never start with a NUL). */
export const PAD_STREAM = '\u0000pad';

export interface StepOutcome {
  /** One per input, in order. */
  readonly results: StreamResult[];
  /** Duration of the whole op, in milliseconds. */
  readonly stepMs: number;
  /** Streams in the op (including padding). */
  readonly streams: number;
}

export interface CoalescerOptions {
  /** Defers the flush (default setImmediate). */
  readonly schedule?: (flush: () => void) => void;
  /** Called after every op with its size and duration. */
  readonly observe?: (streams: number, seconds: number) => void;
}

interface Request {
  readonly inputs: readonly StreamInput[];
  resolve(outcome: StepOutcome): void;
  reject(error: unknown): void;
}

export class StepCoalescer {
  private pending = new Map<StreamDetector, Request[]>();
  private scheduled = false;
  private readonly schedule: (flush: () => void) => void;

  constructor(private readonly options: CoalescerOptions = {}) {
    this.schedule = options.schedule ?? ((flush) => setImmediate(flush));
  }

  /** Steps `inputs` (distinct streams) on `detector`, together with whatever else is asked now. */
  step(detector: StreamDetector, inputs: readonly StreamInput[]): Promise<StepOutcome> {
    if (inputs.length === 0) return Promise.resolve({ results: [], stepMs: 0, streams: 0 });
    return new Promise<StepOutcome>((resolve, reject) => {
      const list = this.pending.get(detector);
      if (list === undefined) this.pending.set(detector, [{ inputs, resolve, reject }]);
      else list.push({ inputs, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = new Map();
    for (const [detector, requests] of pending) this.run(detector, requests);
  }

  private run(detector: StreamDetector, requests: Request[]): void {
    // A stream can be in an op once: a request repeating one waits for the next op.
    const ids = new Set<string>();
    const taken: Request[] = [];
    for (const request of requests) {
      if (request.inputs.some((x) => ids.has(x.streamId))) {
        const later = this.pending.get(detector);
        if (later === undefined) this.pending.set(detector, [request]);
        else later.push(request);
        this.kick();
        continue;
      }
      for (const x of request.inputs) ids.add(x.streamId);
      taken.push(request);
    }
    const batch = taken.flatMap((r) => r.inputs);
    if (batch.length === 1) {
      batch.push({ streamId: PAD_STREAM, features: new Float64Array(detector.config.featureDim) });
    }
    let results: StreamResult[];
    const started = performance.now();
    try {
      results = detector.step(batch);
    } catch (error) {
      for (const r of taken) r.reject(error);
      return;
    }
    const stepMs = performance.now() - started;
    this.options.observe?.(batch.length, stepMs / 1000);
    let at = 0;
    for (const r of taken) {
      r.resolve({ results: results.slice(at, at + r.inputs.length), stepMs, streams: batch.length });
      at += r.inputs.length;
    }
  }
}
