import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkKafkaMonitoring,
  jmxMetricNames,
  KAFKA_MBEANS,
  promqlMetrics,
  serviceMetricNames,
} from './kafka-monitoring-checks.js';
import { parseManifests, type K8sObject } from './manifests.js';
import { repoRoot } from './repo.js';

const root = repoRoot();
const read = (file: string) => parseManifests(readFileSync(path.join(root, file), 'utf8'), file);

/** The production overlay's monitoring objects as committed (without kustomize). */
function committed(): K8sObject[] {
  return [
    ...read('k8s/base/kafka/kafka.yaml'),
    ...read('k8s/base/kafka/metrics-config.yaml'),
    ...read('k8s/components/monitoring/pod-monitors.yaml'),
    ...read('k8s/components/monitoring/prometheus-rules.yaml'),
  ];
}

const services = serviceMetricNames(root);

describe('checkKafkaMonitoring', () => {
  it('turns MBeans into the names the alerts use, as the JMX exporter does', () => {
    const config = readFileSync(path.join(root, 'k8s/base/kafka/metrics-config.yaml'), 'utf8');
    const data = (parseManifests(config, 'm')[0]!.data as Record<string, string>)[
      'kafka-metrics-config.yml'
    ]!;
    expect(jmxMetricNames(data, KAFKA_MBEANS)).toEqual([
      'kafka_server_replicamanager_underreplicatedpartitions',
      'kafka_server_replicamanager_underminisrpartitioncount',
      'kafka_server_replicamanager_isrshrinks_total',
      'kafka_server_replicamanager_partitioncount',
      'kafka_controller_kafkacontroller_offlinepartitionscount',
      'kafka_controller_kafkacontroller_activecontrollercount',
      'kafka_server_brokertopicmetrics_bytesin_total',
      'kafka_server_brokertopicmetrics_bytesin_total',
    ]);
  });

  it('finds the services metrics in their sources', () => {
    expect(services).toContain('simstream_ingest_ack_latency_seconds_bucket');
    expect(services).toContain('simstream_gateway_requests_total');
  });

  it('accepts the committed metrics config, PodMonitors and alerts', () => {
    expect(checkKafkaMonitoring(committed(), 'p', services)).toEqual([]);
  });

  it('refuses an alert on a metric nothing exports, a PromQL syntax error, a missing alert and an unscraped exporter', () => {
    const objects = committed().filter(
      (o) => !(o.kind === 'PodMonitor' && o.metadata.name === 'simstream-entity-operator'),
    );
    const rules = objects.find((o) => o.kind === 'PrometheusRule')!;
    const groups = (rules.spec as { groups: { rules: { alert: string; expr: string }[] }[] }).groups;
    const disk = groups[0]!.rules[0]!;
    disk.expr = disk.expr.replaceAll('kubelet_volume_stats_used_bytes', 'kubelet_volume_used_bytes');
    const urp = groups[1]!.rules[0]!;
    urp.expr = 'sum(kafka_server_replicamanager_underreplicatedpartitions > 0';
    groups[3]!.rules = groups[3]!.rules.filter((r) => r.alert !== 'SimstreamDeadLetters');
    expect(checkKafkaMonitoring(objects, 'p', services)).toEqual([
      'p: no PodMonitor scrapes simstream-entity-operator',
      'p: alert KafkaBrokerVolumeFilling uses kubelet_volume_used_bytes, which nothing here exports',
      expect.stringMatching(/^p: alert KafkaUnderReplicatedPartitions: PromQL syntax error at/),
      'p: no alert SimstreamDeadLetters',
    ]);
  });

  it('refuses a Kafka without metricsConfig', () => {
    const objects = committed().map((o) =>
      o.kind === 'Kafka' ? { ...o, spec: { ...(o.spec as object), kafka: { listeners: [] } } } : o,
    );
    expect(checkKafkaMonitoring(objects, 'p', services)).toEqual([
      'p: Kafka has no metricsConfig with a ConfigMap of this overlay (no broker metrics)',
    ]);
  });

  it('reads metric names out of PromQL', () => {
    expect(promqlMetrics('a / on(x) sum(rate(b_total{t="y"}[5m]))').metrics).toEqual(['a', 'b_total']);
  });
});
