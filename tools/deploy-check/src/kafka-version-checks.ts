/**
 * One Kafka version everywhere: the release tools/infra runs (and with it every local and CI
 * test) is the one compose runs and the one the Strimzi Kafka resource pins, in the base and in
 * every overlay after kustomize, and Strimzi (the release whose CRDs we validate against) can run
 * it. Tests on 3.9 while production ran 4.x was issue 13's item 7: a protocol or feature change
 * (KIP-896's removed API versions, transactions v2) would have reached production untested.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runProgram } from '@simstream/toolchain';
import type { Check } from './check.js';
import { parseComposeFile } from './compose-model.js';
import { DeployInputError } from './errors.js';
import { OVERLAYS } from './k8s-checks.js';
import { parseManifests } from './manifests.js';
import { STRIMZI_CRDS } from './tools.js';
import { at } from './walk.js';

/**
 * The Kafka versions Strimzi 0.51.0 runs, and the KRaft metadata version of each (the
 * `metadata` column). Source: strimzi-kafka-operator's kafka-versions.yaml at tag 0.51.0
 * (4.1.0, 4.1.1, 4.2.0 supported; 4.2.0 the default). The metadata IV a new 4.2.0 cluster is
 * formatted at, 4.2-IV1, is what `kafka-storage format` of the 4.2.0 jars finalises (seen with
 * `infra kafka-tool org.apache.kafka.tools.FeatureCommand describe`). Update both with Strimzi.
 */
export const STRIMZI_KAFKA_VERSIONS = {
  strimzi: '0.51.0',
  versions: [
    { kafka: '4.1.0', metadata: '4.1' },
    { kafka: '4.1.1', metadata: '4.1' },
    { kafka: '4.2.0', metadata: '4.2' },
  ],
} as const;

/** Where each component says which Kafka it runs. */
export interface KafkaVersionSources {
  /** `kafka.version` of tools/infra/kafka/artifacts.lock: what local infra and the tests run. */
  readonly lock: string | undefined;
  /** The compose kafka service's image reference. */
  readonly composeImage: string | undefined;
  /** The Strimzi release whose CRDs the deploy checks validate against. */
  readonly strimziRelease: string;
  /** Every Kafka resource of k8s/ (base and each overlay, after kustomize). */
  readonly strimzi: readonly {
    readonly label: string;
    /** As the YAML holds them: a bare 4.2 is a number, which Strimzi refuses. */
    readonly version: unknown;
    readonly metadataVersion: unknown;
  }[];
}

/** The tag of an `apache/kafka[-native]:<tag>` image; undefined for anything else. */
export function composeKafkaTag(image: string | undefined): string | undefined {
  const m = /^(?:docker\.io\/)?apache\/kafka(?:-native)?:([^@]+)(?:@sha256:[0-9a-f]{64})?$/.exec(image ?? '');
  return m?.[1];
}

export function checkKafkaVersions(src: KafkaVersionSources): string[] {
  const problems: string[] = [];
  if (src.strimziRelease !== STRIMZI_KAFKA_VERSIONS.strimzi)
    problems.push(
      `the Strimzi CRDs are ${src.strimziRelease} but the supported-version list is Strimzi ${STRIMZI_KAFKA_VERSIONS.strimzi}'s: update STRIMZI_KAFKA_VERSIONS from that release's kafka-versions.yaml`,
    );
  const want = src.lock;
  if (want === undefined) return [...problems, 'tools/infra/kafka/artifacts.lock declares no kafka.version'];
  const supported = STRIMZI_KAFKA_VERSIONS.versions.find((v) => v.kafka === want);
  if (supported === undefined)
    problems.push(
      `local infra and the tests run Kafka ${want}, which Strimzi ${STRIMZI_KAFKA_VERSIONS.strimzi} does not run (it runs ${STRIMZI_KAFKA_VERSIONS.versions.map((v) => v.kafka).join(', ')})`,
    );

  const tag = composeKafkaTag(src.composeImage);
  if (tag === undefined)
    problems.push(
      `docker-compose.yml: kafka image "${src.composeImage ?? ''}" is not apache/kafka:<version>`,
    );
  else if (tag !== want)
    problems.push(`docker-compose.yml runs Kafka ${tag}, local infra and the tests run ${want}`);

  if (src.strimzi.length === 0) problems.push('k8s/: no Kafka resource found');
  for (const k of src.strimzi) {
    if (k.version === undefined)
      problems.push(`${k.label}: spec.kafka.version is not pinned (Strimzi would run its default, untested)`);
    else if (typeof k.version !== 'string')
      problems.push(`${k.label}: spec.kafka.version must be a string, got ${JSON.stringify(k.version)}`);
    else if (k.version !== want)
      problems.push(`${k.label}: spec.kafka.version ${k.version}, local infra and the tests run ${want}`);
    if (k.metadataVersion === undefined)
      problems.push(`${k.label}: spec.kafka.metadataVersion is not pinned`);
    else if (typeof k.metadataVersion !== 'string')
      problems.push(
        `${k.label}: spec.kafka.metadataVersion must be a string (quote it), got ${JSON.stringify(k.metadataVersion)}`,
      );
    else if (supported !== undefined && !isMetadataOf(k.metadataVersion, supported.metadata))
      problems.push(
        `${k.label}: spec.kafka.metadataVersion ${k.metadataVersion} is not Kafka ${want}'s (${supported.metadata}, or ${supported.metadata}-IV<n>), the one a new local cluster runs`,
      );
  }
  return problems;
}

function isMetadataOf(metadataVersion: string, metadata: string): boolean {
  return (
    metadataVersion === metadata ||
    new RegExp(`^${metadata.replace('.', '\\.')}-IV\\d+$`).test(metadataVersion)
  );
}

/** The version sources read from the repository (kustomize builds base and overlays). */
async function readSources(kustomize: string, root: string): Promise<KafkaVersionSources> {
  const lockText = await readFile(path.join(root, 'tools', 'infra', 'kafka', 'artifacts.lock'), 'utf8');
  const lock = /^kafka\.version=(\S+)$/m.exec(lockText)?.[1];
  const compose = parseComposeFile(await readFile(path.join(root, 'docker-compose.yml'), 'utf8'));
  const strimzi: KafkaVersionSources['strimzi'][number][] = [];
  for (const dir of ['k8s/base', ...OVERLAYS.map((o) => `k8s/overlays/${o.name}`)]) {
    const r = await runProgram(kustomize, ['build', path.join(root, dir)]);
    if (r.code !== 0) throw new DeployInputError(`kustomize build ${dir} failed: ${r.stderr.trim()}`);
    for (const o of parseManifests(r.stdout, dir).filter((x) => x.kind === 'Kafka'))
      strimzi.push({
        label: `${dir} Kafka/${o.metadata.name}`,
        version: at(o, 'spec', 'kafka', 'version'),
        metadataVersion: at(o, 'spec', 'kafka', 'metadataVersion'),
      });
  }
  return {
    lock,
    composeImage: compose.services.kafka?.image,
    strimziRelease: STRIMZI_CRDS.coordinates.split(':')[2]!,
    strimzi,
  };
}

export function kafkaVersionChecks(kustomize: string, root: string): Check[] {
  return [
    {
      name: `Kafka version: artifacts.lock = compose = Strimzi (k8s/base and overlays), one Strimzi ${STRIMZI_KAFKA_VERSIONS.strimzi} runs`,
      run: async () => checkKafkaVersions(await readSources(kustomize, root)),
    },
  ];
}
