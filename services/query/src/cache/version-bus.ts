/**
 * Change notifications between instances: after each commit the materializer announces the
 * new version of every simulation it changed, in-process at once and to every instance over
 * Redis pub/sub. Listeners (the version table, tails) get each announcement at least once from
 * this process and usually once more from Redis; both are harmless. Announcements Redis did not
 * take are kept (the highest version per simulation) and published again until it does. The
 * channel is "live" while the subscription is up: only then may instances trust what they learn.
 */
import type { Logger } from '@simstream/observability';
import type { Redis } from '@simstream/storage';
import type { ChangedKind } from '../materializer/pg-writer.js';

export interface VersionMessage {
  readonly simulationId: string;
  readonly tenant: string;
  readonly version: number;
  readonly kinds: readonly ChangedKind[];
}

export const VERSION_CHANNEL = 'simstream:simver';
/** Keeps one PUBLISH small while a backlog drains after an outage. */
const MESSAGES_PER_PUBLISH = 1000;

export interface VersionBusOptions {
  /** Commands connection (PUBLISH), behind the Redis breaker. */
  readonly publish: (channel: string, message: string) => Promise<unknown>;
  /** A dedicated connection for SUBSCRIBE. */
  readonly subscriber: Redis;
  readonly logger: Logger;
  readonly retryIntervalMs?: number;
  readonly maxPending?: number;
  readonly onPendingChange?: (pending: number) => void;
}

type Listener = (message: VersionMessage) => void;
type LiveListener = (live: boolean) => void;

function parse(text: string): VersionMessage[] {
  try {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter(
      (m): m is VersionMessage =>
        typeof m === 'object' &&
        m !== null &&
        typeof (m as VersionMessage).simulationId === 'string' &&
        typeof (m as VersionMessage).tenant === 'string' &&
        typeof (m as VersionMessage).version === 'number' &&
        Array.isArray((m as VersionMessage).kinds),
    );
  } catch {
    return [];
  }
}

export class VersionBus {
  private readonly listeners = new Set<Listener>();
  private readonly liveListeners = new Set<LiveListener>();
  private readonly pending = new Map<string, VersionMessage>();
  private live = false;
  private timer: NodeJS.Timeout | undefined;
  private publishing = false;
  private stopped = false;

  constructor(private readonly options: VersionBusOptions) {
    const sub = options.subscriber;
    sub.on('message', (channel: string, text: string) => {
      if (channel !== VERSION_CHANNEL) return;
      for (const m of parse(text)) this.emit(m);
    });
    sub.on('ready', () => {
      sub.subscribe(VERSION_CHANNEL).then(
        () => this.setLive(true),
        (error: unknown) =>
          options.logger.warn({ err: error }, 'subscribing to version notifications failed'),
      );
    });
    sub.on('close', () => this.setLive(false));
    sub.on('end', () => this.setLive(false));
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Connects the subscriber; Redis being down is not an error (it reconnects by itself). */
  async start(): Promise<void> {
    try {
      await this.options.subscriber.connect();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'Redis unreachable: no shared cache or notifications for now');
    }
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onLive(listener: LiveListener): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  /** Tells this process now and the other instances through Redis. Never throws. */
  announce(messages: readonly VersionMessage[]): void {
    for (const m of messages) this.emit(m);
    for (const m of messages) {
      const known = this.pending.get(m.simulationId);
      if (known === undefined || known.version <= m.version) this.pending.set(m.simulationId, m);
    }
    const max = this.options.maxPending ?? 100_000;
    for (const id of this.pending.keys()) {
      if (this.pending.size <= max) break;
      this.pending.delete(id); // oldest first; instances bound staleness by the version max age
    }
    void this.flush();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.flush();
    this.options.subscriber.disconnect();
  }

  private async flush(): Promise<void> {
    if (this.publishing || this.pending.size === 0) return;
    this.publishing = true;
    const batch = [...this.pending.values()].slice(0, MESSAGES_PER_PUBLISH);
    try {
      await this.options.publish(VERSION_CHANNEL, JSON.stringify(batch));
      for (const m of batch) if (this.pending.get(m.simulationId) === m) this.pending.delete(m.simulationId);
    } catch {
      if (!this.stopped && this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          void this.flush();
        }, this.options.retryIntervalMs ?? 1000);
        this.timer.unref();
      }
    } finally {
      this.publishing = false;
      this.options.onPendingChange?.(this.pending.size);
    }
    if (this.pending.size > 0 && this.timer === undefined && !this.stopped) void this.flush();
  }

  private emit(message: VersionMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  private setLive(live: boolean): void {
    if (live === this.live) return;
    this.live = live;
    this.options.logger.info({ live }, live ? 'version notifications live' : 'version notifications down');
    for (const listener of this.liveListeners) listener(live);
  }
}
