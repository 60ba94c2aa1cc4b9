/**
 * Both directions between a simulation's detector state and its checkpoint: restoring the
 * loaded checkpoint into the detector when the simulation's next frame shows its layout, and
 * saving states (with the last step they cover) so that their frames no longer hold back the
 * commit.
 */
import type { Logger } from '@simstream/observability';
import type { Checkpoint, CheckpointStore } from './checkpoint-store.js';
import type { StreamDetector } from './detector-bank.js';
import type { FeatureLayout } from '@simstream/neuro';
import type { NeuroMetrics } from './metrics.js';
import { modelId, type PartitionState, type SimulationTrack } from './partition-state.js';

export class Checkpointer {
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly store: CheckpointStore,
    private readonly metrics: NeuroMetrics,
    private readonly logger: Logger,
  ) {}

  /** Makes the simulation's state live in `detector` for `layout`: kept, restored, or fresh. */
  attach(track: SimulationTrack, detector: StreamDetector, layout: FeatureLayout): void {
    if (track.detector === detector && track.layout?.digest === layout.digest) return;
    const id = track.simulationId;
    if (track.detector !== undefined) {
      track.detector.dropStream(id);
      this.metrics.layoutChanges.inc();
      this.logger.info(
        { simulationId: id, fields: layout.fields },
        'field set changed; fresh detector state',
      );
    }
    track.detector = detector;
    track.layout = layout;
    const checkpoint = track.restore;
    track.restore = undefined;
    if (checkpoint === undefined) return;
    const expected = modelId(detector, layout);
    let outcome: 'restored' | 'mismatch' = 'mismatch';
    if (checkpoint.model === expected) {
      try {
        detector.importState(id, checkpoint.state);
        outcome = 'restored';
      } catch (error) {
        this.logger.warn({ err: error, simulationId: id }, 'checkpoint not restorable; fresh state');
      }
    } else {
      this.logger.warn(
        { simulationId: id, checkpointModel: checkpoint.model, model: expected },
        'checkpoint of another model or field set; fresh state (steps it covers are still skipped)',
      );
    }
    this.metrics.checkpointsLoaded.inc({ outcome });
  }

  /** The tracks' states as checkpoints (synchronous: the states as of now). */
  export(tracks: readonly SimulationTrack[]): Checkpoint[] {
    return tracks.map((t) => ({
      simulationId: t.simulationId,
      step: t.lastStep,
      model: modelId(t.detector!, t.layout!),
      state: t.detector!.exportState(t.simulationId),
    }));
  }

  /** Writes the tracks' states; on success their frames no longer hold back the commit. */
  async checkpoint(part: PartitionState, tracks: readonly SimulationTrack[], why: string): Promise<void> {
    if (tracks.length === 0) return;
    await this.write(this.export(tracks), why);
    if (part.revoked) return;
    for (const t of tracks) {
      t.sinceCheckpoint = 0;
      t.pendingFrom = undefined;
      t.pendingSince = undefined;
    }
  }

  /** Writes checkpoints without waiting (a revoked partition's last states); `settle` waits. */
  inBackground(checkpoints: readonly Checkpoint[], why: string): void {
    if (checkpoints.length === 0) return;
    const work = this.write(checkpoints, why).catch((error: unknown) =>
      this.logger.warn({ err: error, why }, 'background checkpoint failed'),
    );
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  async settle(): Promise<void> {
    await Promise.all(this.background);
  }

  private async write(checkpoints: readonly Checkpoint[], why: string): Promise<void> {
    const started = performance.now();
    await this.store.save(checkpoints);
    this.metrics.checkpointSeconds.observe((performance.now() - started) / 1000);
    this.metrics.checkpointsWritten.inc(checkpoints.length);
    this.metrics.checkpointBytes.inc(checkpoints.reduce((sum, c) => sum + c.state.byteLength, 0));
    this.logger.debug({ checkpoints: checkpoints.length, why }, 'checkpoints written');
  }
}
