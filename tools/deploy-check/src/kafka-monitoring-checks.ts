/**
 * Kafka is observed: the Kafka CR exports JMX metrics through a ConfigMap of the overlay, and
 * where PrometheusRules exist (the monitoring component) the Kafka nodes, Kafka Exporter and the
 * entity operator are scraped, the alerts cover disks, replication, the controller and lag, and
 * every alert expression parses as PromQL and names only metrics something exports. A typo in a
 * metric name makes an alert that never fires, which no cluster would report.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import type { K8sObject } from './manifests.js';
import { arrayAt, at, stringAt } from './walk.js';

/** MBeans (as the JMX exporter formats them) our alerts rely on; the rules turn them into names. */
export const KAFKA_MBEANS = [
  'kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value',
  'kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value',
  'kafka.server<type=ReplicaManager, name=IsrShrinksPerSec><>Count',
  'kafka.server<type=ReplicaManager, name=PartitionCount><>Value',
  'kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value',
  'kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value',
  'kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec><>Count',
  'kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec, topic=simstream.frames.v1><>Count',
] as const;

/** Strimzi's Kafka Exporter (danielqsj/kafka_exporter), the kubelet and kube-state-metrics. */
const EXTERNAL_METRICS = [
  'kafka_brokers',
  'kafka_consumergroup_lag',
  'kafka_consumergroup_current_offset',
  'kafka_consumergroup_members',
  'kafka_topic_partitions',
  'kafka_topic_partition_current_offset',
  'kafka_topic_partition_oldest_offset',
  'kafka_topic_partition_under_replicated_partition',
  'kafka_topic_partition_in_sync_replica',
  'kubelet_volume_stats_used_bytes',
  'kubelet_volume_stats_capacity_bytes',
  'kubelet_volume_stats_available_bytes',
  'kube_deployment_spec_replicas',
  'kube_deployment_status_replicas_available',
];

interface JmxRule {
  readonly pattern: string;
  readonly name: string;
}

/** The metric names the JMX exporter rules give the MBeans (first matching rule wins). */
export function jmxMetricNames(config: string, mbeans: readonly string[]): string[] {
  const doc = parseYaml(config) as { lowercaseOutputName?: boolean; rules?: JmxRule[] };
  const names: string[] = [];
  for (const mbean of mbeans) {
    for (const rule of doc.rules ?? []) {
      const m = new RegExp(`^${rule.pattern}$`).exec(mbean);
      if (m === null) continue;
      const name = rule.name.replace(/\$(\d+)/g, (_s, i: string) => m[Number(i)] ?? '');
      names.push(doc.lowercaseOutputName === true ? name.toLowerCase() : name);
      break;
    }
  }
  return names;
}

/** The simstream_* metric names the services and libraries register (from their sources). */
export function serviceMetricNames(root: string): string[] {
  const names = new Set<string>();
  const label = /simstream_consumer_\$\{label\}/;
  for (const dir of ['services', 'libs']) {
    for (const pkg of readdirSync(path.join(root, dir))) {
      const src = path.join(root, dir, pkg, 'src');
      let files: string[];
      try {
        files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
          (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
        );
      } catch {
        continue;
      }
      for (const f of files) {
        const text = readFileSync(path.join(src, f), 'utf8');
        for (const m of text.matchAll(/name: ['`](simstream_[a-z0-9_${}]+)['`]/g))
          if (!label.test(m[1]!)) names.add(m[1]!);
      }
    }
  }
  // Histograms and summaries are queried through their series.
  return [...names].flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]);
}

/** Metric names a PromQL expression selects, or the parse error. */
export function promqlMetrics(expr: string): { metrics: string[]; error?: string } {
  const tree = parser.parse(expr);
  const metrics: string[] = [];
  let error: string | undefined;
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError && error === undefined)
      error = `syntax error at ${cursor.from}: '${expr.slice(Math.max(0, cursor.from - 20), cursor.from + 10).trim()}'`;
    if (cursor.name === 'Identifier' && cursor.node.parent?.name === 'VectorSelector')
      metrics.push(expr.slice(cursor.from, cursor.to));
  } while (cursor.next());
  return error === undefined ? { metrics } : { metrics, error };
}

/** Alerts every production overlay has (by name). */
export const REQUIRED_ALERTS = [
  'KafkaBrokerVolumeFilling',
  'KafkaUnderReplicatedPartitions',
  'KafkaOfflinePartitions',
  'KafkaIsrShrinking',
  'KafkaActiveControllerCount',
  'SimstreamConsumerLag',
  'SimstreamIngestAckLatencyHigh',
  'SimstreamDeadLetters',
  'SimstreamPodsNotReady',
];

/** PodMonitors must select these Strimzi pods (strimzi.io/name). */
const SCRAPED = ['simstream-kafka', 'simstream-kafka-exporter', 'simstream-entity-operator'];

export function checkKafkaMonitoring(
  objects: readonly K8sObject[],
  label: string,
  serviceMetrics: readonly string[],
): string[] {
  const problems: string[] = [];
  const kafka = objects.find((o) => o.kind === 'Kafka');
  const ref = (o: unknown) => ({
    name: stringAt(o, 'metricsConfig', 'valueFrom', 'configMapKeyRef', 'name'),
    key: stringAt(o, 'metricsConfig', 'valueFrom', 'configMapKeyRef', 'key'),
  });
  const kafkaRef = ref(at(kafka, 'spec', 'kafka'));
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === kafkaRef.name);
  const jmx = kafkaRef.key === undefined ? undefined : stringAt(configMap, 'data', kafkaRef.key);
  if (jmx === undefined) {
    problems.push(
      `${label}: Kafka has no metricsConfig with a ConfigMap of this overlay (no broker metrics)`,
    );
    return problems;
  }
  if (at(kafka, 'spec', 'kafkaExporter') === undefined)
    problems.push(`${label}: Kafka has no kafkaExporter (consumer lag, offsets)`);
  const rules = objects.filter((o) => o.kind === 'PrometheusRule');
  if (rules.length === 0) return problems; // monitoring component not included (dev)
  const monitors = objects.filter((o) => o.kind === 'PodMonitor');
  for (const name of SCRAPED) {
    const selected = monitors.some((m) => {
      const exprs = arrayAt(m, 'spec', 'selector', 'matchExpressions');
      return (
        stringAt(m, 'spec', 'selector', 'matchLabels', 'strimzi.io/name') === name ||
        exprs.some((e) => stringAt(e, 'key') === 'strimzi.io/name' && arrayAt(e, 'values').includes(name))
      );
    });
    if (!selected) problems.push(`${label}: no PodMonitor scrapes ${name}`);
  }
  const known = new Set([...jmxMetricNames(jmx, KAFKA_MBEANS), ...EXTERNAL_METRICS, ...serviceMetrics]);
  const alerts = new Set<string>();
  for (const r of rules)
    for (const group of arrayAt(r, 'spec', 'groups'))
      for (const rule of arrayAt(group, 'rules')) {
        const name = stringAt(rule, 'alert') ?? stringAt(rule, 'record') ?? '?';
        alerts.add(name);
        const parsed = promqlMetrics(stringAt(rule, 'expr') ?? '');
        if (parsed.error !== undefined) problems.push(`${label}: alert ${name}: PromQL ${parsed.error}`);
        for (const metric of parsed.metrics)
          if (!known.has(metric))
            problems.push(`${label}: alert ${name} uses ${metric}, which nothing here exports`);
      }
  for (const name of REQUIRED_ALERTS) if (!alerts.has(name)) problems.push(`${label}: no alert ${name}`);
  return problems;
}
