/**
 * Who holds each simulation on this instance, and the open streams (for draining on SIGTERM and
 * for GetStatus). A new holder supersedes the previous one and waits for it to be torn down; a
 * holder stays registered until then, so a stream whose client vanished still makes the next
 * one wait for its in-flight writes.
 */

/** Whoever holds a simulation on this instance: a stream, or an IngestBatch call. */
export interface SimulationHolder {
  /** Stops writing; resolves once its writes are settled and its writer is closed. */
  supersede(): Promise<void>;
}

/** An open stream, as the registry needs it. */
export interface OpenStream {
  /** Stops reading, answers what is in flight, then ends the stream (the client resumes elsewhere). */
  drain(): Promise<void>;
}

export class SessionRegistry {
  private readonly holders = new Map<string, SimulationHolder>();
  readonly all = new Set<OpenStream>();

  async claim(simulationId: string, holder: SimulationHolder): Promise<void> {
    const previous = this.holders.get(simulationId);
    this.holders.set(simulationId, holder);
    if (previous !== undefined && previous !== holder) await previous.supersede();
  }

  release(simulationId: string, holder: SimulationHolder): void {
    if (this.holders.get(simulationId) === holder) this.holders.delete(simulationId);
  }
}
