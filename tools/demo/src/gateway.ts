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

/** Waits until `probe` returns a value (or the timeout passes: undefined). */
export async function eventually<T>(
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
}
