import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LockListError } from './errors.js';
import { coordinatesOf, jarFileName, mavenPath, parseLockList } from './lock-list.js';
import { KAFKA_LOCK_FILE } from './paths.js';

const sha = 'a'.repeat(64);
const minimal = `# comment\nkafka.version=3.9.2\norg.apache.kafka:kafka_2.13:3.9.2\t${sha}\t10\n`;

describe('parseLockList', () => {
  it('reads the version and each artifact', () => {
    const lock = parseLockList(
      minimal + `io.netty:netty-tcnative:2.0.1:linux-x86_64\t${'b'.repeat(64)}\t20\n`,
    );
    expect(lock.kafkaVersion).toBe('3.9.2');
    expect(lock.artifacts).toHaveLength(2);
    const native = lock.artifacts[1]!;
    expect(native).toEqual({
      groupId: 'io.netty',
      artifactId: 'netty-tcnative',
      version: '2.0.1',
      classifier: 'linux-x86_64',
      sha256: 'b'.repeat(64),
      size: 20,
    });
    expect(coordinatesOf(native)).toBe('io.netty:netty-tcnative:2.0.1:linux-x86_64');
    expect(mavenPath(native)).toBe('io/netty/netty-tcnative/2.0.1/netty-tcnative-2.0.1-linux-x86_64.jar');
    expect(jarFileName(native)).toBe('io.netty.netty-tcnative-2.0.1-linux-x86_64.jar');
    expect(mavenPath(lock.artifacts[0]!)).toBe('org/apache/kafka/kafka_2.13/3.9.2/kafka_2.13-3.9.2.jar');
  });

  it.each([
    ['a bad checksum', `org.x:y:1\tABC\t10`, /not a lowercase SHA-256/],
    ['a bad size', `org.x:y:1\t${sha}\t-4`, /not a positive integer/],
    ['bad coordinates', `org.x:y\t${sha}\t4`, /not group:artifact:version/],
    ['a path escape', `org.x:..:1\t${sha}\t4`, /unsafe/],
    ['a duplicate', `org.apache.kafka:kafka_2.13:3.9.2\t${sha}\t10`, /listed twice/],
  ])('refuses %s', (_, line, message) => {
    expect(() => parseLockList(minimal + line + '\n')).toThrow(message);
  });

  it('requires the broker artifact of the declared version', () => {
    expect(() => parseLockList(`kafka.version=3.9.2\norg.x:y:1\t${sha}\t1\n`)).toThrow(LockListError);
    expect(() => parseLockList(`org.apache.kafka:kafka_2.13:3.9.2\t${sha}\t10\n`)).toThrow(/kafka.version/);
  });

  it('parses the committed lock list: Kafka 4.2.x broker, tools and a logging backend', () => {
    const lock = parseLockList(readFileSync(KAFKA_LOCK_FILE, 'utf8'));
    expect(lock.kafkaVersion).toMatch(/^4\.2\.\d+$/);
    const names = lock.artifacts.map((a) => `${a.groupId}:${a.artifactId}`);
    for (const required of [
      'org.apache.kafka:kafka_2.13',
      'org.apache.kafka:kafka-tools',
      'org.apache.kafka:kafka-storage',
      'org.apache.kafka:kafka-clients',
      'org.scala-lang:scala-library',
      'org.apache.logging.log4j:log4j-core',
      'org.apache.logging.log4j:log4j-slf4j-impl',
    ]) {
      expect(names).toContain(required);
    }
    // Exactly one SLF4J backend, log4j2's, as in the Kafka 4 distribution.
    expect(names.filter((n) => /logback|reload4j|slf4j-log4j12/.test(n))).toEqual([]);
    // The SLF4J binding and log4j-core must be one log4j2 release.
    const versionOf = (id: string): string | undefined =>
      lock.artifacts.find((a) => `${a.groupId}:${a.artifactId}` === id)?.version;
    expect(versionOf('org.apache.logging.log4j:log4j-slf4j-impl')).toBe(
      versionOf('org.apache.logging.log4j:log4j-core'),
    );
  });
});
