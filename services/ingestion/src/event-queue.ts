/**
 * The events waiting to be written to one stream, bounded. Events and acks share the stream,
 * and acks must never wait for events: events are written only while the call's send buffer
 * has room, and wait here otherwise. Past `pauseAt` queued events the source of results is
 * asked to pause (query's tail then waits, and Postgres holds what follows, so nothing is
 * lost); if more still arrive (results already in flight), past `capacity` the oldest are
 * dropped and counted, and the next event written says how many were dropped before it, so a
 * client can reconnect with since_step to get them again. Pure.
 */
import type { AnalysisEvent } from '@simstream/contracts';

export interface QueuedEvent {
  readonly event: AnalysisEvent;
  readonly kind: string;
}

export class EventQueue {
  private items: QueuedEvent[] = [];
  private head = 0;
  private droppedSinceSent = 0;
  /** Every event dropped on this queue, by kind label. */
  readonly droppedByKind = new Map<string, number>();

  constructor(
    readonly capacity: number,
    readonly pauseAt: number = Math.max(1, Math.floor(capacity / 2)),
  ) {
    if (!(capacity >= 1 && pauseAt >= 1 && pauseAt <= capacity))
      throw new RangeError(
        `queue capacity ${capacity} and pause mark ${pauseAt} must satisfy 1 <= pause <= capacity`,
      );
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** True while the source should pause (at or past the pause mark). */
  get full(): boolean {
    return this.size >= this.pauseAt;
  }

  /** True once the source may resume (drained to half the pause mark). */
  get low(): boolean {
    return this.size <= Math.floor(this.pauseAt / 2);
  }

  /** Adds an event; returns the one dropped to make room, if any. */
  push(item: QueuedEvent): QueuedEvent | undefined {
    let dropped: QueuedEvent | undefined;
    if (this.size >= this.capacity) {
      dropped = this.items[this.head++];
      if (dropped !== undefined) {
        this.droppedSinceSent++;
        this.droppedByKind.set(dropped.kind, (this.droppedByKind.get(dropped.kind) ?? 0) + 1);
      }
    }
    this.items.push(item);
    this.compact();
    return dropped;
  }

  /** The next event to write, carrying how many were dropped just before it. */
  shift(): QueuedEvent | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head++;
    this.compact();
    const droppedBefore = this.droppedSinceSent;
    this.droppedSinceSent = 0;
    return droppedBefore === 0 ? item : { ...item, event: { ...item.event, droppedBefore } };
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
