import { describe, expect, it } from 'vitest';
import {
  checkKafkaVersions,
  composeKafkaTag,
  STRIMZI_KAFKA_VERSIONS,
  type KafkaVersionSources,
} from './kafka-version-checks.js';

const good: KafkaVersionSources = {
  lock: '4.2.0',
  composeImage: 'apache/kafka:4.2.0',
  strimziRelease: '0.51.0',
  strimzi: [
    { label: 'k8s/base Kafka/simstream', version: '4.2.0', metadataVersion: '4.2-IV1' },
    { label: 'k8s/overlays/dev Kafka/simstream', version: '4.2.0', metadataVersion: '4.2' },
  ],
};

describe('checkKafkaVersions', () => {
  it('passes one version everywhere that Strimzi 0.51.0 runs', () => {
    expect(checkKafkaVersions(good)).toEqual([]);
  });

  it('fails when compose runs another Kafka than local infra (3.9.1 vs 3.9.2 was the old state)', () => {
    expect(checkKafkaVersions({ ...good, composeImage: 'apache/kafka:3.9.1' })).toEqual([
      'docker-compose.yml runs Kafka 3.9.1, local infra and the tests run 4.2.0',
    ]);
  });

  it('fails when an overlay moves spec.kafka.version away from the tested one', () => {
    const strimzi = [good.strimzi[0]!, { ...good.strimzi[1]!, version: '4.1.1' }];
    expect(checkKafkaVersions({ ...good, strimzi })).toEqual([
      'k8s/overlays/dev Kafka/simstream: spec.kafka.version 4.1.1, local infra and the tests run 4.2.0',
    ]);
  });

  it('fails when spec.kafka.version or metadataVersion is not pinned', () => {
    const strimzi = [{ label: 'k8s/base Kafka/simstream', version: undefined, metadataVersion: undefined }];
    expect(checkKafkaVersions({ ...good, strimzi })).toEqual([
      'k8s/base Kafka/simstream: spec.kafka.version is not pinned (Strimzi would run its default, untested)',
      'k8s/base Kafka/simstream: spec.kafka.metadataVersion is not pinned',
    ]);
  });

  it('fails on a metadata version of another release, and on an unquoted one YAML reads as a number', () => {
    const strimzi = [
      { label: 'a', version: '4.2.0', metadataVersion: '3.9-IV0' },
      { label: 'b', version: '4.2.0', metadataVersion: 4.2 },
    ];
    const problems = checkKafkaVersions({ ...good, strimzi });
    expect(problems).toEqual([
      "a: spec.kafka.metadataVersion 3.9-IV0 is not Kafka 4.2.0's (4.2, or 4.2-IV<n>), the one a new local cluster runs",
      'b: spec.kafka.metadataVersion must be a string (quote it), got 4.2',
    ]);
  });

  it('fails when everything agrees on a version Strimzi does not run (the 3.9.2 the tests ran)', () => {
    const old: KafkaVersionSources = {
      ...good,
      lock: '3.9.2',
      composeImage: 'apache/kafka:3.9.2',
      strimzi: [{ label: 'k8s/base Kafka/simstream', version: '3.9.2', metadataVersion: '3.9-IV0' }],
    };
    expect(checkKafkaVersions(old)).toEqual([
      'local infra and the tests run Kafka 3.9.2, which Strimzi 0.51.0 does not run (it runs 4.1.0, 4.1.1, 4.2.0)',
    ]);
  });

  it('fails when the Strimzi CRDs move on without the supported-version list', () => {
    expect(checkKafkaVersions({ ...good, strimziRelease: '0.52.0' })[0]).toMatch(
      /Strimzi CRDs are 0\.52\.0 but the supported-version list is Strimzi 0\.51\.0's/,
    );
  });

  it('fails when there is no Kafka resource or no locked version', () => {
    expect(checkKafkaVersions({ ...good, strimzi: [] })).toEqual(['k8s/: no Kafka resource found']);
    expect(checkKafkaVersions({ ...good, lock: undefined })).toEqual([
      'tools/infra/kafka/artifacts.lock declares no kafka.version',
    ]);
  });
});

describe('composeKafkaTag', () => {
  it('reads the tag of apache/kafka and apache/kafka-native, with or without a digest', () => {
    expect(composeKafkaTag('apache/kafka:4.2.0')).toBe('4.2.0');
    expect(composeKafkaTag('docker.io/apache/kafka-native:4.2.0')).toBe('4.2.0');
    expect(composeKafkaTag(`apache/kafka:4.2.0@sha256:${'a'.repeat(64)}`)).toBe('4.2.0');
    expect(composeKafkaTag('bitnami/kafka:4.2.0')).toBeUndefined();
    expect(composeKafkaTag(undefined)).toBeUndefined();
  });
});

describe('STRIMZI_KAFKA_VERSIONS', () => {
  it('lists Strimzi 0.51.0 releases with the metadata version of their minor', () => {
    for (const v of STRIMZI_KAFKA_VERSIONS.versions) expect(v.kafka.startsWith(`${v.metadata}.`)).toBe(true);
  });
});
