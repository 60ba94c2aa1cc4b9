/**
 * What the service knows per assigned partition: each simulation's progress (last step stepped,
 * where its detector state lives, what the last checkpoint covers) and the results not yet
 * durable. From it come the commit floor (the first frame a restart must re-read) and the
 * simulations due for a checkpoint.
 */
import type { OutRecord } from '@simstream/kafka';
import type { Checkpoint } from './checkpoint-store.js';
import type { StreamDetector } from './detector-bank.js';
import type { FeatureLayout } from '@simstream/neuro';

export interface SimulationTrack {
  readonly simulationId: string;
  /** Last step stepped (or covered by the checkpoint loaded); −1 before any. */
  lastStep: number;
  /** Detector holding the state, and the layout the state was built with. */
  detector: StreamDetector | undefined;
  layout: FeatureLayout | undefined;
  /** Loaded checkpoint not yet imported (imported when the next frame's layout is known). */
  restore: Checkpoint | undefined;
  /** Frames stepped since the last checkpoint. */
  sinceCheckpoint: number;
  /** Offset of the first frame stepped since the last checkpoint (what a restart re-reads). */
  pendingFrom: number | undefined;
  /** When that frame was stepped (ms). */
  pendingSince: number | undefined;
  /** When a frame of it was last stepped or skipped (ms). */
  lastSeen: number;
}

/** Identifies what a state belongs to: the detector configuration and the feature layout. */
export function modelId(detector: StreamDetector, layout: FeatureLayout): string {
  return `${detector.configHash}.${layout.digest}`;
}

export function newTrack(
  simulationId: string,
  checkpoint: Checkpoint | undefined,
  now: number,
): SimulationTrack {
  return {
    simulationId,
    lastStep: checkpoint?.step ?? -1,
    detector: undefined,
    layout: undefined,
    restore: checkpoint,
    sinceCheckpoint: 0,
    pendingFrom: undefined,
    pendingSince: undefined,
    lastSeen: now,
  };
}

export interface DuePolicy {
  readonly every: number;
  readonly intervalMs: number;
}

export class PartitionState {
  readonly simulations = new Map<string, SimulationTrack>();
  /** Results stepped but not yet durable: re-sent first by the next attempt. */
  outbox: OutRecord[] = [];
  /** A handler is working on this partition. */
  busy = false;
  revoked = false;

  /** The lowest offset a restart must re-read: the first frame not covered by a checkpoint. */
  commitFloor(): number | undefined {
    let floor: number | undefined;
    for (const t of this.simulations.values()) {
      if (t.pendingFrom !== undefined && (floor === undefined || t.pendingFrom < floor))
        floor = t.pendingFrom;
    }
    return floor;
  }

  /** Simulations with stepped frames a checkpoint does not cover yet. */
  pending(): SimulationTrack[] {
    return [...this.simulations.values()].filter((t) => t.sinceCheckpoint > 0 && t.detector !== undefined);
  }

  /** Pending simulations due: enough frames, or the oldest uncovered frame old enough. */
  due(policy: DuePolicy, now: number): SimulationTrack[] {
    return this.pending().filter(
      (t) =>
        t.sinceCheckpoint >= policy.every ||
        (t.pendingSince !== undefined && now - t.pendingSince >= policy.intervalMs),
    );
  }

  /** Whether a checkpoint now would cover only durable results. */
  get settled(): boolean {
    return !this.busy && this.outbox.length === 0;
  }
}
