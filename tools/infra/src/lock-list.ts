/**
 * The committed list of Kafka runtime jars (tools/infra/kafka/artifacts.lock): Maven coordinates
 * with SHA-256 and size, generated once with Maven so that a machine without Maven can fetch
 * exactly the same bytes with Node and verify them.
 */
import { LockListError } from './errors.js';

export interface LockedArtifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  readonly classifier: string | undefined;
  readonly sha256: string;
  readonly size: number;
}

export interface LockList {
  readonly kafkaVersion: string;
  readonly artifacts: readonly LockedArtifact[];
}

/** Parses the lock list text; throws LockListError naming the first bad line. */
export function parseLockList(text: string): LockList {
  const props = new Map<string, string>();
  const artifacts: LockedArtifact[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `line ${index + 1}`;
    if (!line.includes('\t')) {
      const eq = line.indexOf('=');
      if (eq <= 0)
        throw new LockListError(`${where}: expected key=value or a tab-separated artifact, got "${line}"`);
      props.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
      return;
    }
    const [coords, sha256, sizeText, ...rest] = line.split('\t');
    if (coords === undefined || sha256 === undefined || sizeText === undefined || rest.length > 0) {
      throw new LockListError(`${where}: expected 3 tab-separated columns`);
    }
    const parts = coords.split(':');
    if (parts.length !== 3 && parts.length !== 4) {
      throw new LockListError(
        `${where}: coordinates "${coords}" are not group:artifact:version[:classifier]`,
      );
    }
    if (parts.some((p) => p === '' || p.includes('/') || p.includes('..'))) {
      throw new LockListError(`${where}: coordinates "${coords}" contain an empty or unsafe part`);
    }
    if (!/^[0-9a-f]{64}$/.test(sha256))
      throw new LockListError(`${where}: "${sha256}" is not a lowercase SHA-256`);
    const size = Number(sizeText);
    if (!Number.isSafeInteger(size) || size <= 0)
      throw new LockListError(`${where}: size "${sizeText}" is not a positive integer`);
    const [groupId, artifactId, version, classifier] = parts as [string, string, string, string | undefined];
    artifacts.push({ groupId, artifactId, version, classifier, sha256, size });
  });

  const kafkaVersion = props.get('kafka.version');
  if (kafkaVersion === undefined || !/^\d+\.\d+\.\d+$/.test(kafkaVersion)) {
    throw new LockListError('missing or malformed kafka.version=<x.y.z>');
  }
  if (
    !artifacts.some(
      (a) =>
        a.groupId === 'org.apache.kafka' && a.artifactId.startsWith('kafka_') && a.version === kafkaVersion,
    )
  ) {
    throw new LockListError(`no org.apache.kafka:kafka_<scala>:${kafkaVersion} artifact`);
  }
  const names = new Set<string>();
  for (const a of artifacts) {
    const name = jarFileName(a);
    if (names.has(name)) throw new LockListError(`${coordinatesOf(a)} is listed twice`);
    names.add(name);
  }
  return { kafkaVersion, artifacts };
}

export function coordinatesOf(a: LockedArtifact): string {
  return [a.groupId, a.artifactId, a.version, ...(a.classifier === undefined ? [] : [a.classifier])].join(
    ':',
  );
}

/** Path of the jar inside a Maven repository layout (remote or ~/.m2/repository). */
export function mavenPath(a: LockedArtifact): string {
  const file = `${a.artifactId}-${a.version}${a.classifier === undefined ? '' : `-${a.classifier}`}.jar`;
  return `${a.groupId.replace(/\./g, '/')}/${a.artifactId}/${a.version}/${file}`;
}

/** Flat file name in our cache; the group is kept so equal artifact names cannot collide. */
export function jarFileName(a: LockedArtifact): string {
  return `${a.groupId}.${a.artifactId}-${a.version}${a.classifier === undefined ? '' : `-${a.classifier}`}.jar`;
}
