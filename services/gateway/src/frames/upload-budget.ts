/**
 * Bytes of frame uploads this replica holds at once (bodies being read, decoded and passed to
 * ingestion), so that memory stays bounded however many clients upload together: past the
 * budget an upload is refused before its body is read (503 UPLOADS_BUSY, Retry-After), and the
 * client retries. One upload larger than the whole budget still passes when it is alone.
 */
export class UploadBudget {
  private inUse = 0;

  constructor(
    readonly limit: number,
    private readonly onChange?: (bytes: number) => void,
  ) {}

  get used(): number {
    return this.inUse;
  }

  /** Takes `bytes`; returns the release function, or undefined when they do not fit now. */
  tryReserve(bytes: number): (() => void) | undefined {
    if (this.inUse > 0 && this.inUse + bytes > this.limit) return undefined;
    this.inUse += bytes;
    this.onChange?.(this.inUse);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= bytes;
      this.onChange?.(this.inUse);
    };
  }
}
