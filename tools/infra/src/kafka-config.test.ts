import { describe, expect, it } from 'vitest';
import {
  KAFKA_MAX_MESSAGE_BYTES,
  kafkaJvmArgs,
  newClusterId,
  renderLog4j2Config,
  renderServerProperties,
  renderToolsLog4j2Config,
} from './kafka-config.js';

function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.includes('=')) continue;
    const eq = line.indexOf('=');
    map.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return map;
}

describe('renderServerProperties', () => {
  const props = parseProperties(
    renderServerProperties({
      host: '127.0.0.1',
      port: 9092,
      controllerPort: 9093,
      nodeId: 1,
      logDirs: '/d/kafka/kraft',
    }),
  );

  it('runs one node as broker and controller on loopback only', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:9093');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092');
    expect(props.get('controller.listener.names')).toBe('CONTROLLER');
    expect(props.get('log.dirs')).toBe('/d/kafka/kraft');
  });

  it('suits a single node with transactions and large frames', () => {
    expect(props.get('auto.create.topics.enable')).toBe('false');
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.min.isr')).toBe('1');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(Number(props.get('message.max.bytes'))).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    expect(Number(props.get('replica.fetch.max.bytes'))).toBeGreaterThanOrEqual(KAFKA_MAX_MESSAGE_BYTES);
  });
});

describe('renderServerProperties for a cluster node', () => {
  const props = parseProperties(
    renderServerProperties({
      host: '127.0.0.1',
      port: 19093,
      controllerPort: 19193,
      nodeId: 2,
      logDirs: '/c/node-2/kraft',
      voters: [
        { nodeId: 1, controllerPort: 19192 },
        { nodeId: 2, controllerPort: 19193 },
        { nodeId: 3, controllerPort: 19194 },
      ],
      replicationFactor: 3,
      minInsyncReplicas: 2,
    }),
  );

  it('lists the whole controller quorum and listens on its own ports', () => {
    expect(props.get('node.id')).toBe('2');
    expect(props.get('controller.quorum.voters')).toBe(
      '1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194',
    );
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19093,CONTROLLER://127.0.0.1:19193');
  });

  it('replicates internal and new topics three times with two in sync', () => {
    for (const key of [
      'default.replication.factor',
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
    ])
      expect(props.get(key)).toBe('3');
    expect(props.get('min.insync.replicas')).toBe('2');
    expect(props.get('transaction.state.log.min.isr')).toBe('2');
  });
});

describe('renderLog4j2Config', () => {
  it('writes every logger to size-rolled files under the log dir, none to the console', () => {
    const text = renderLog4j2Config('/d/kafka/logs');
    expect(text).toContain('fileName="/d/kafka/logs/server.log"');
    expect(text).toContain('fileName="/d/kafka/logs/controller.log"');
    expect(text).toContain('<SizeBasedTriggeringPolicy size="10MB"/>');
    expect(text).not.toMatch(/<Console/);
    // log4j 1 syntax would be ignored by Kafka 4's log4j2 and leave the broker on defaults.
    expect(text).not.toMatch(/log4j\.appender/);
  });

  it('escapes a log dir that XML would misread', () => {
    expect(renderLog4j2Config('/d/a&b"c')).toContain('fileName="/d/a&amp;b&quot;c/server.log"');
  });

  it('sends command-line tools only warnings, on stderr', () => {
    const text = renderToolsLog4j2Config();
    expect(text).toContain('target="SYSTEM_ERR"');
    expect(text).toContain('<Root level="WARN">');
  });
});

describe('kafkaJvmArgs', () => {
  it('puts heap options first and the classpath last', () => {
    const args = kafkaJvmArgs(['-Xmx512m', '-Xms256m'], '/d/log4j2.xml', '/d/logs', '/cache/libs/*');
    expect(args.slice(0, 2)).toEqual(['-Xmx512m', '-Xms256m']);
    expect(args).toContain('-Dlog4j2.configurationFile=/d/log4j2.xml');
    expect(args.slice(-2)).toEqual(['-cp', '/cache/libs/*']);
    expect(args).toContain('-XX:G1HeapRegionSize=16M');
  });

  it('leaves the G1 region size to heap options that set one', () => {
    const args = kafkaJvmArgs(['-Xmx4g', '-XX:G1HeapRegionSize=32M'], '/d/l', '/d/logs', '/c/*');
    expect(args.filter((a) => a.startsWith('-XX:G1HeapRegionSize='))).toEqual(['-XX:G1HeapRegionSize=32M']);
  });
});

describe('newClusterId', () => {
  it('is 22 URL-safe base64 characters and never starts with a dash', () => {
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x01)];
    const id = newClusterId(() => draws.shift()!);
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(draws).toHaveLength(0); // the first draw encoded to a leading '-' and was refused
  });
});
