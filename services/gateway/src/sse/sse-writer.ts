/**
 * One Server-Sent Events response: the headers, `retry:` advice, heartbeats (comment lines, so
 * proxies keep the connection and dead clients are noticed), events with ids, and backpressure:
 * a client that reads slowly gets only the newest event (latest-only streams) or is closed once
 * too much is buffered for it (it reconnects with Last-Event-ID and resumes from history).
 */
import type { ServerResponse } from 'node:http';

export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** One event in the text/event-stream format (`data` JSON-encoded on one line). */
export function formatEvent(name: string, data: unknown, id?: number | string): string {
  return `event: ${name}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;
}

export interface SseWriterOptions {
  readonly heartbeatMs: number;
  /** Latest-only: when the client lags, keep only the newest pending event. */
  readonly latestOnly: boolean;
  /** Bytes buffered for a lagging live client before it is closed. */
  readonly maxBufferedBytes?: number;
  readonly retryMs?: number;
  readonly onDropped?: () => void;
  readonly onWritten?: () => void;
}

export class SseWriter {
  private heartbeat: NodeJS.Timeout | undefined;
  private pending: string | undefined;
  private closed = false;
  private readonly closeHandlers: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseWriterOptions,
  ) {
    res.on('close', () => this.finish());
    res.on('drain', () => {
      if (this.pending !== undefined) {
        const text = this.pending;
        this.pending = undefined;
        this.write(text);
      }
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  start(extraHeaders: Record<string, string> = {}): void {
    // setHeader (not writeHead's object) so that the headers stay readable: the request
    // metrics recognise event streams by their content type.
    const headers = {
      'content-type': SSE_CONTENT_TYPE,
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...extraHeaders,
    };
    for (const [name, value] of Object.entries(headers)) this.res.setHeader(name, value);
    this.res.writeHead(200);
    this.res.write(`retry: ${this.options.retryMs ?? 2000}\n\n`);
    this.heartbeat = setInterval(() => {
      if (!this.res.writableNeedDrain) this.res.write(': heartbeat\n\n');
    }, this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Writes one event (`data` is JSON-encoded on one line). */
  event(name: string, data: unknown, id?: number | string): void {
    this.eventText(formatEvent(name, data, id));
  }

  /** Writes an event already formatted by formatEvent (fan-out: serialized once for all clients). */
  eventText(text: string): void {
    if (this.closed) return;
    if (this.res.writableNeedDrain) {
      if (this.options.latestOnly) {
        if (this.pending !== undefined) this.options.onDropped?.();
        this.pending = text;
        return;
      }
      if (this.res.writableLength > (this.options.maxBufferedBytes ?? 1024 * 1024)) {
        this.options.onDropped?.();
        this.close();
        return;
      }
    }
    this.write(text);
  }

  private write(text: string): void {
    this.res.write(text);
    this.options.onWritten?.();
  }

  /** Ends the response (the client may reconnect). */
  close(): void {
    if (!this.closed) this.res.end();
    this.finish();
  }

  onClose(handler: () => void): void {
    if (this.closed) handler();
    else this.closeHandlers.push(handler);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
