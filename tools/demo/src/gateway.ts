/** Reading what the analysis services found, through the public gateway (as a user would). */

/** The parts of the gateway's JSON the demo prints (see /openapi.json). */
export interface SimulationView {
  readonly frames: number;
  readonly neuromorphic_results: number;
  readonly quantum_results: number;
}

export interface ResultView {
  readonly step: number;
  readonly score: number;
  readonly neuromorphic?: {
    raw_score: number;
    spike_rate: number;
    pattern_id: number;
    novelty: number;
    backend: string;
  };
  readonly quantum?: {
    variables: number;
    cut: number | null;
    imbalance: number | null;
    solver: string;
    total_ms: number;
    cached: boolean;
  };
}
export interface GatewayReader {
  get(path: string): Promise<Record<string, unknown>>;
  post(path: string, body: unknown): Promise<Record<string, unknown>>;
}

export function gatewayReader(baseUrl: string, key: string): GatewayReader {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}

export interface Eventually<T> {
  /** The probe's value, undefined when the timeout passed first. */
  readonly value: T | undefined;
  /** What the probe threw last (a 404 while results are on their way, or a real failure). */
  readonly lastError: unknown;
}

/** Asks `probe` every 500 ms until it returns a value or the timeout passes. */
export async function eventually<T>(
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<Eventually<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return { value, lastError: undefined };
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) return { value: undefined, lastError };
    await new Promise((r) => setTimeout(r, 500));
  }
}
