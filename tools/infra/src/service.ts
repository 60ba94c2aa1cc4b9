/**
 * What the orchestrator needs from each service: how to install and prepare it, the command
 * that runs it, how to probe it for real, and how to stop it. One implementation per service.
 */
import type { UnitName } from './config.js';
import type { ProcessIdentity } from './proc.js';

export interface ProbeResult {
  /** The server process answers its protocol (metadata, a login, PONG, /ping). */
  readonly serverUp: boolean;
  /** serverUp and everything we bootstrap is there (the database exists, ...). */
  readonly ready: boolean;
  readonly detail: string;
  /** Version reported by the running server, when it says. */
  readonly version?: string;
}

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Where stdout and stderr go (may differ from the service's own log file). */
  readonly outputFile: string;
  /** How the running process is recognised as ours (checked before any signal). */
  readonly identity: ProcessIdentity;
}

export interface ServiceDriver {
  /** A service, or one node of the Kafka cluster (`kafka-2`). */
  readonly name: UnitName;
  /** host:port clients use. */
  readonly address: string;
  /** Every TCP port the service binds, for the "already taken" check. */
  readonly ports: readonly number[];
  /** The service's folder under the data dir (config, data, logs, pid file). */
  readonly dir: string;
  /** Where the process's output goes; its tail is shown when starting fails. */
  readonly logFile: string;
  /** Signal for a clean, fast shutdown (Postgres: SIGINT, "fast" mode). */
  readonly stopSignal: NodeJS.Signals;
  readonly stopTimeoutMs: number;
  readonly readyTimeoutMs: number;
  /** Installs what is missing (Debian package, Kafka jars). */
  ensureInstalled(): Promise<void>;
  /** Renders config files, and on first start initialises storage. Idempotent. */
  prepare(): Promise<void>;
  launchSpec(): Promise<LaunchSpec>;
  probe(timeoutMs: number): Promise<ProbeResult>;
  /** Creates what `probe` wants to find (a database) once the server is up. Idempotent. */
  bootstrap(): Promise<void>;
  /** Version of the installed software, without a running server. */
  installedVersion(): Promise<string | undefined>;
}
