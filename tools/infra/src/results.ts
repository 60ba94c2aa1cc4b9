/**
 * What the orchestrator reports: per-service status, the outcome of up and down, and the error
 * thrown when some services could not be started.
 */
import { SimstreamError, messageOf } from '@simstream/errors';
import type { UnitName } from './config.js';

export type ServiceState = 'running' | 'stopped' | 'foreign';

export interface ServiceStatus {
  readonly name: UnitName;
  /** running: our process is alive; foreign: the port is held by a process we did not start. */
  readonly state: ServiceState;
  readonly pid: number | null;
  readonly address: string;
  readonly ready: boolean;
  readonly detail: string;
  readonly dataDir: string;
  readonly version: string | null;
  /** Resident memory of the main process, and proportional memory of its whole process tree. */
  readonly rssKiB: number | null;
  readonly treePssKiB: number | null;
}

export interface UpResult {
  readonly name: UnitName;
  readonly action: 'already-running' | 'started';
  readonly pid: number;
  /** From the start of `up` for this service until its probe passed. */
  readonly readyMs: number;
  readonly detail: string;
}

export interface DownResult {
  readonly name: UnitName;
  readonly action: 'stopped' | 'killed' | 'not-running' | 'stale-pid-file';
  readonly detail: string;
}

export interface UpOptions {
  /** Overrides every service's own readiness timeout. */
  readonly readyTimeoutMs?: number;
}

/** Some services failed to come up; the others were started and keep running. */
export class StartFailedError extends SimstreamError {
  constructor(
    readonly failures: readonly { readonly service: UnitName; readonly error: unknown }[],
    readonly started: readonly UpResult[],
  ) {
    super('INFRA_START_FAILED', failures.map((f) => messageOf(f.error)).join('\n\n'), {
      cause: failures[0]?.error,
    });
  }
}
