/**
 * Programmatic API of the local infrastructure, for integration tests and the demo:
 *
 *   import { up, stop, start, endpoints } from '@simstream/infra';
 *   await up();                       // Kafka, Postgres, Redis, InfluxDB ready on loopback
 *   await stop('kafka'); ...; await start('kafka');   // an outage with data kept
 *   // SIMSTREAM_KAFKA_BROKERS=3: `kafka` is three nodes; kill9('kafka-2'), start('kafka-2')
 *
 * The free functions use one Infra built from process.env on first use; createInfra() takes an
 * injected environment instead.
 */
import { loadInfraConfig, type Env, type Endpoints, type UnitName } from './config.js';
import { Infra } from './infra.js';
import type { DownResult, ServiceStatus, UpOptions, UpResult } from './results.js';
import { REPO_ROOT } from './paths.js';
import { tlsFiles, type TlsFiles } from './certs.js';

export {
  KAFKA_CLUSTER_SIZE,
  SERVICE_NAMES,
  endpointsOf,
  kafkaNodeIdOf,
  kafkaNodeName,
  loadInfraConfig,
  parseServiceNames,
  renderEnvExports,
} from './config.js';
export type { Endpoints, Env, InfraConfig, KafkaNodeName, ServiceName, UnitName } from './config.js';
export { Infra } from './infra.js';
export { IDENTITIES, ensureCertificates, tlsFiles, type Identity, type TlsFiles } from './certs.js';
export { StartFailedError } from './results.js';
export type { DownResult, ServiceState, ServiceStatus, UpOptions, UpResult } from './results.js';
export { fetchMetadata as fetchKafkaMetadata, type BrokerMetadata } from './kafka-protocol.js';
export {
  BusyError,
  ChecksumMismatchError,
  CommandFailedError,
  DownloadError,
  LockListError,
  MissingPackageError,
  NotReadyError,
  PortInUseError,
} from './errors.js';

export interface CreateInfraOptions {
  /** Environment to read SIMSTREAM_* settings from and to hand to the services (default: process.env). */
  readonly env?: Env;
  /** Repository root; `.data/` below it is the default data dir. */
  readonly repoRoot?: string;
  /** Progress lines (installs, downloads, readiness); default: stderr. */
  readonly log?: (line: string) => void;
}

export function createInfra(options: CreateInfraOptions = {}): Infra {
  const config = loadInfraConfig(options.env ?? process.env, {
    repoRoot: options.repoRoot ?? REPO_ROOT,
    isRoot: process.getuid?.() === 0,
  });
  return new Infra(config, options.log);
}

let shared: Infra | undefined;
function defaultInfra(): Infra {
  shared ??= createInfra();
  return shared;
}

export const up = (services?: readonly UnitName[], options?: UpOptions): Promise<UpResult[]> =>
  defaultInfra().up(services, options);
export const down = (services?: readonly UnitName[]): Promise<DownResult[]> => defaultInfra().down(services);
export const status = (services?: readonly UnitName[]): Promise<ServiceStatus[]> =>
  defaultInfra().status(services);
export const start = (service: UnitName, options?: UpOptions): Promise<UpResult> =>
  defaultInfra().start(service, options);
export const stop = (service: UnitName): Promise<DownResult> => defaultInfra().stop(service);
export const kill9 = (service: UnitName): Promise<DownResult> => defaultInfra().kill9(service);
export const reset = (services?: readonly UnitName[]): Promise<DownResult[]> =>
  defaultInfra().reset(services);
export const endpoints = (): Endpoints => defaultInfra().endpoints();
/** Where the services' data, logs and pid files live (SIMSTREAM_DATA_DIR, default <repo>/.data). */
export const dataDir = (): string => defaultInfra().config.dataDir;
/** The stack's CA and service certificates (created by up()). */
export const tls = (): TlsFiles => tlsFiles(defaultInfra().config.dataDir);
export const kafkaToolCommand = (
  mainClass: string,
  args: readonly string[],
  heapOpts?: readonly string[],
): Promise<{ command: string; args: string[] }> => defaultInfra().kafkaToolCommand(mainClass, args, heapOpts);
