/**
 * The Python SDK (clients/python) against the real stack: its pytest suite — unit tests, and the
 * tests marked `stack` (10,000 frames byte-identical in Kafka, kill -9 of ingestion mid-stream,
 * precise rejections, the asyncio variant, results through JSON, Arrow and SSE) — runs here with
 * the five services started on the local infrastructure and a control endpoint
 * (test/src/sdk-control.ts) to kill ingestion and read the frames topic. Also: the committed gRPC
 * stubs are current with proto/, and ruff (lint, format) and mypy --strict are clean.
 *
 * Select tests while developing: SIMSTREAM_PYTEST_ARGS="tests/test_upload_stack.py -k kill"
 * (then skipped tests are allowed; the full run must skip none).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopicName, type KafkaClient } from '@simstream/kafka';
import {
  PYTHON_SDK_DIR,
  Stack,
  apiKeyFor,
  endOffsets,
  sdkPython,
  startSdkControl,
  testKafka,
  type SdkControl,
} from '../src/index.js';

const SDK = PYTHON_SDK_DIR;

function python(
  exe: string,
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, {
      cwd: SDK,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const tail = (text: string, lines = 120) => text.split('\n').slice(-lines).join('\n');

describe('Python SDK against the real stack', () => {
  const tenant = `py-sdk-${randomUUID().slice(0, 8)}`;
  let exe: string;
  let kafka: KafkaClient;
  let stack: Stack;
  let control: SdkControl;
  let apiKey: string;

  beforeAll(async () => {
    exe = await sdkPython();
    kafka = testKafka();
    const from = await endOffsets(kafka, TopicName.frames);
    stack = await Stack.create(kafka, {
      tenants: [tenant],
      quantumEverySteps: 10,
      env: { ingestion: { INGEST_CHECK_FINITE: 'true' } },
    });
    apiKey = await apiKeyFor(tenant, ['ingest', 'read']);
    control = await startSdkControl(stack, kafka, from);
  }, 900_000);

  afterAll(async () => {
    await control?.close();
    await stack?.stop();
  });

  it('the committed gRPC stubs are current with proto/', async () => {
    const { code, output } = await python(exe, ['scripts/generate_stubs.py', '--check']);
    expect(code, output).toBe(0);
  });

  it('ruff (lint and format) and mypy --strict are clean', async () => {
    const ruff = await python(exe, ['-m', 'ruff', 'check', '.']);
    expect(ruff.code, ruff.output).toBe(0);
    const format = await python(exe, ['-m', 'ruff', 'format', '--check', '.']);
    expect(format.code, format.output).toBe(0);
    const mypy = await python(exe, ['-m', 'mypy'], {}, 300_000);
    expect(mypy.code, mypy.output).toBe(0);
  }, 360_000);

  it('pytest: the unit tests and the stack tests pass, none skipped', async () => {
    const selected = process.env.SIMSTREAM_PYTEST_ARGS?.split(' ').filter((a) => a !== '') ?? [];
    const report = path.join(mkdtempSync(path.join(tmpdir(), 'simstream-pytest-')), 'junit.xml');
    const { code, output } = await python(
      exe,
      ['-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-rfEs', `--junitxml=${report}`, ...selected],
      {
        SIMSTREAM_INGEST: stack.address('ingestion'),
        SIMSTREAM_GATEWAY: stack.gatewayUrl,
        SIMSTREAM_API_KEY: apiKey,
        SIMSTREAM_CA: stack.caFile,
        SIMSTREAM_TEST_CONTROL: control.url,
        SIMSTREAM_REQUIRE_STACK: '1',
      },
      780_000,
    );
    expect(code, tail(output)).toBe(0);
    const suite = /<testsuite [^>]*>/.exec(readFileSync(report, 'utf8'))?.[0] ?? '';
    const count = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(suite)?.[1] ?? NaN);
    expect(count('tests'), tail(output)).toBeGreaterThan(0);
    expect(count('failures') + count('errors'), tail(output)).toBe(0);
    if (selected.length === 0) expect(count('skipped'), tail(output)).toBe(0);
  }, 800_000);
});
