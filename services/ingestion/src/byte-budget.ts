/**
 * In-flight bytes, counted from when a frame is read until it is acknowledged or rejected.
 * Budgets do not block: the stream pauses reading once over budget (HTTP/2 flow control then
 * holds the client back) and resumes when bytes are released.
 */
export class ByteBudget {
  private used = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  get exhausted(): boolean {
    return this.used >= this.limit;
  }

  take(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
    if (this.used < this.limit) for (const listener of [...this.listeners]) listener();
  }

  /** Called whenever usage drops below the limit; returns the unsubscribe function. */
  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
