/**
 * Run-time selection of the tfjs backend for the analysis engines.
 *
 * Order for `auto`: tfjs-node-gpu (CUDA, production GPU image) → tfjs-node (native TensorFlow)
 * → WASM (SIMD, in this package) → plain JavaScript CPU. tfjs-node and tfjs-node-gpu download
 * native binaries when installed, so they are never dependencies of the repository: the GPU
 * image installs tfjs-node-gpu explicitly and this module picks it up when it resolves.
 * `SIMSTREAM_TF_BACKEND` (auto|tensorflow-gpu|tensorflow|wasm|cpu) forces one; a forced backend
 * that cannot load is an error, never a silent fallback.
 *
 * Known backend defect: tfjs-backend-wasm 4.22 returns garbage from `tf.oneHot(…, 'float32')`
 * (the integer bit pattern, e.g. 1.4e-45); build one-hot tensors another way (libs/neuro does).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { SimstreamError, messageOf } from '@simstream/errors';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export const BACKEND_CHOICES: readonly BackendChoice[] = [
  'auto',
  'tensorflow-gpu',
  'tensorflow',
  'wasm',
  'cpu',
];
export const BACKEND_ENV = 'SIMSTREAM_TF_BACKEND';

export interface BackendInfo {
  /** Our name for the backend. */
  readonly name: BackendName;
  /** The name tfjs registered it under (tfjs-node and tfjs-node-gpu both say 'tensorflow'). */
  readonly tfjsBackend: string;
  readonly gpu: boolean;
  /** Why this one: forced by the environment, or the first that loaded, with what failed before. */
  readonly reason: string;
}

export interface ComputeLogger {
  info(obj: object, msg: string): void;
}

export interface InitComputeOptions {
  /** Overrides the environment variable. */
  readonly backend?: BackendChoice;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: ComputeLogger;
}

export class BackendUnavailableError extends SimstreamError {
  readonly backend: BackendName;
  constructor(backend: BackendName, message: string, cause?: unknown) {
    super('COMPUTE_BACKEND_UNAVAILABLE', `tfjs backend '${backend}' is unavailable: ${message}`, { cause });
    this.backend = backend;
  }
}

const require = createRequire(import.meta.url);
// Module names in variables so that TypeScript does not need them installed.
const NATIVE_PACKAGES: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

let current: BackendInfo | undefined;

/** Parses a backend choice, naming the variable and the allowed values on error. */
export function parseBackendChoice(value: string | undefined, source = BACKEND_ENV): BackendChoice {
  if (value === undefined || value === '') return 'auto';
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new SimstreamError(
    'CONFIG_INVALID',
    `${source}='${value}' is not a tfjs backend; use one of ${BACKEND_CHOICES.join(', ')}`,
  );
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<void> {
  const pkg = NATIVE_PACKAGES[name];
  try {
    require.resolve(pkg);
  } catch (error) {
    throw new BackendUnavailableError(name, `${pkg} is not installed`, error);
  }
  try {
    await import(pkg);
  } catch (error) {
    throw new BackendUnavailableError(name, `${pkg} failed to load: ${messageOf(error)}`, error);
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new BackendUnavailableError(name, `${pkg} loaded but the 'tensorflow' backend did not initialise`);
  }
}

async function tryWasm(): Promise<void> {
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  setWasmPaths(dist + path.sep);
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } catch (error) {
    throw new BackendUnavailableError('wasm', messageOf(error), error);
  }
  if (!ok) throw new BackendUnavailableError('wasm', 'the WASM module did not initialise');
}

async function tryBackend(name: BackendName): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(name);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new BackendUnavailableError('cpu', 'did not initialise');
  }
}

/**
 * Selects and initialises the backend once per process (later calls with the same choice return
 * the same info; a different forced choice switches backends, which tests use to compare).
 */
export async function initCompute(options: InitComputeOptions = {}): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const choice = options.backend ?? parseBackendChoice(env[BACKEND_ENV]);
  if (current !== undefined && (choice === 'auto' || choice === current.name)) return current;

  let info: BackendInfo;
  if (choice !== 'auto') {
    await tryBackend(choice);
    info = { name: choice, tfjsBackend: tf.getBackend(), gpu: choice === 'tensorflow-gpu', reason: 'forced' };
  } else {
    const failures: string[] = [];
    let picked: BackendName | undefined;
    for (const name of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const) {
      try {
        await tryBackend(name);
        picked = name;
        break;
      } catch (error) {
        failures.push(messageOf(error));
      }
    }
    if (picked === undefined) throw new BackendUnavailableError('cpu', failures.join('; '));
    info = {
      name: picked,
      tfjsBackend: tf.getBackend(),
      gpu: picked === 'tensorflow-gpu',
      reason: failures.length === 0 ? 'first choice' : `fell back after: ${failures.join('; ')}`,
    };
  }
  current = info;
  options.logger?.info({ backend: info }, `tfjs backend: ${info.name}`);
  return info;
}

/** The backend chosen by initCompute, or undefined before it ran. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

export { tf };
