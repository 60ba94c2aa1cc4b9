/**
 * The results table of the broker-loss tests: one row per scenario, kept as JSON under
 * .data/chaos/ (rewritten after every scenario, so a failed assertion still leaves its numbers)
 * and rendered as a Markdown table for the README.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@simstream/stack';

export interface ChaosRow {
  readonly scenario: string;
  /** Node SIGKILLed (0: none, the baseline), and what it was at that moment. */
  readonly killed: { readonly nodeId: number; readonly role: string };
  readonly simulations: number;
  readonly framesSent: number;
  /** Acknowledged on their stream, plus found durable by a resume after the ack was lost. */
  readonly acked: number;
  readonly ackedOnStream: number;
  readonly foundDurableOnResume: number;
  /** Records in the frames topic (read_committed) for these simulations. */
  readonly kafkaRecords: number;
  /** Records beyond the first of their (simulation, step). */
  readonly duplicates: number;
  /** Acked (simulation, step) pairs not in the frames topic. */
  readonly missing: number;
  /** Steps absent between a simulation's first and last step in the topic. */
  readonly gaps: number;
  /** Neuromorphic results in Postgres for these simulations, and those beyond one per frame. */
  readonly results: number;
  readonly resultDuplicates: number;
  /** Results in Postgres at the kill, the restart, the end of the streams and the end of the wait. */
  readonly resultsAt: {
    readonly kill: number;
    readonly restart: number;
    readonly streamsDone: number;
    readonly end: number;
  };
  /** Counters scraped from the neuromorphic and query services at the end. */
  readonly downstream: Readonly<Record<string, number>>;
  /** The analysis services' consumer groups at the end: state, members, committed lag. */
  readonly groups: readonly string[];
  /** Some duplicated (simulation, step) pairs and where their copies sit (partition@offset). */
  readonly duplicateSamples: readonly string[];
  readonly streamReconnects: number;
  readonly framesResent: number;
  /** Longest time any stream went without an ack (the stall the kill caused). */
  readonly longestAckGapMs: number;
  /** From the kill until every stream acked steadily again (its last pause of over 1 s ended). */
  readonly recoveredAfterMs: number;
  /** How long the node stayed down, and how long it took to be ready again once restarted. */
  readonly downMs: number;
  readonly restartReadyMs: number;
  /** Who took over: the new leaders of the simulations' partitions, or the new controller. */
  readonly takeover: string;
  readonly durationMs: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function renderChaosTable(rows: readonly ChaosRow[]): string {
  const header = [
    'scenario',
    'killed',
    'frames sent',
    'acked',
    'in Kafka',
    'duplicates',
    'missing',
    'results (dup.)',
    'reconnects',
    'resent',
    'longest ack gap',
    'recovered after',
    'run',
  ];
  const lines = rows.map((r) => [
    r.scenario,
    r.killed.nodeId === 0 ? '-' : `node ${r.killed.nodeId} (${r.killed.role})`,
    String(r.framesSent),
    `${r.acked} (${r.foundDurableOnResume} on resume)`,
    String(r.kafkaRecords),
    String(r.duplicates),
    String(r.missing),
    `${r.results} (${r.resultDuplicates})`,
    String(r.streamReconnects),
    String(r.framesResent),
    seconds(r.longestAckGapMs),
    seconds(r.recoveredAfterMs),
    seconds(r.durationMs),
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Writes the rows as JSON (and the Markdown table beside it); returns the JSON file's path. */
export function writeChaosReport(name: string, rows: readonly ChaosRow[]): string {
  const dir = join(REPO_ROOT, '.data', 'chaos');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ writtenAt: new Date().toISOString(), rows }, null, 2) + '\n');
  writeFileSync(join(dir, `${name}.md`), renderChaosTable(rows) + '\n');
  return file;
}
