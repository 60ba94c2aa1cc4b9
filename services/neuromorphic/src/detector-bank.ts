/**
 * One spiking detector per feature dimension (frames with 2 fields and frames with 3 have
 * vectors of different lengths), built on first use and shared by every simulation of that
 * dimension: a detector steps any subset of its streams in one tensor op.
 */
import type { StreamInput, StreamResult } from '@simstream/neuro';

/** What the service uses of @simstream/neuro's Detector (unit tests give a fake). */
export interface StreamDetector {
  readonly configHash: string;
  readonly backend: { readonly name: string };
  readonly config: { readonly featureDim: number };
  step(batch: readonly StreamInput[]): StreamResult[];
  exportState(streamId: string): Uint8Array;
  importState(streamId: string, bytes: Uint8Array): void;
  dropStream(streamId: string): boolean;
  dispose(): void;
}

export type DetectorFactory = (featureDim: number) => Promise<StreamDetector>;

export class DetectorBank {
  private readonly building = new Map<number, Promise<StreamDetector>>();
  private readonly built = new Map<number, StreamDetector>();

  constructor(private readonly factory: DetectorFactory) {}

  /** The detector for vectors of `featureDim` features (built once; a failed build is retried next time). */
  get(featureDim: number): Promise<StreamDetector> {
    const ready = this.built.get(featureDim);
    if (ready !== undefined) return Promise.resolve(ready);
    let pending = this.building.get(featureDim);
    if (pending === undefined) {
      pending = this.factory(featureDim).then(
        (detector) => {
          this.built.set(featureDim, detector);
          this.building.delete(featureDim);
          return detector;
        },
        (error: unknown) => {
          this.building.delete(featureDim);
          throw error;
        },
      );
      this.building.set(featureDim, pending);
    }
    return pending;
  }

  /** Detectors built so far. */
  all(): StreamDetector[] {
    return [...this.built.values()];
  }

  dispose(): void {
    for (const detector of this.built.values()) detector.dispose();
    this.built.clear();
  }
}
