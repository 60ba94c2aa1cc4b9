/**
 * Support for the gateway's integration tests: the gateway as a real process (real Postgres,
 * Redis and, where a test needs it, ingestion), HTTP calls, signed JWTs, an SSE client. The
 * query and quantum services are test doubles at the network boundary (gateway-doubles.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { endpoints } from '@simstream/infra';
import { freePort, serviceTlsEnv, startService, type ServiceProcess } from '../src/index.js';

export interface GatewayProcess extends ServiceProcess {
  readonly url: string;
  readonly httpPort: number;
}

export async function startGateway(env: Record<string, string>, httpPort?: number): Promise<GatewayProcess> {
  const e = endpoints();
  const port = httpPort ?? (await freePort());
  const service = await startService({
    name: 'gateway',
    main: 'services/gateway/dist/main.js',
    env: {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      DATABASE_URL: e.databaseUrl,
      REDIS_URL: e.redisUrl,
      LOG_LEVEL: 'info',
      ...serviceTlsEnv('gateway'),
      // Every test client comes from 127.0.0.1, like clients behind one NAT: the per-address
      // limit would couple unrelated tests through Redis. Tests of that limit set their own.
      AUTH_FAILURES_PER_ADDRESS: '100000',
      ...env,
    },
  });
  return { ...service, url: `http://127.0.0.1:${port}`, httpPort: port };
}

/** A new API key of `tenant`, made through the gateway's admin API with `admin` (a bootstrap key). */
export async function mintKey(
  gateway: { readonly url: string },
  admin: string,
  tenant: string,
  scopes: readonly string[] = ['read', 'ingest'],
): Promise<string> {
  const res = await call(`${gateway.url}/v1/admin/keys`, {
    key: admin,
    json: { name: `test ${tenant}`, scopes, tenant },
  });
  if (res.status !== 201)
    throw new Error(`minting a key of ${tenant}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.secret!;
}

/** A fresh bootstrap key for a test run: `sk_<16 hex>_<secret>`. */
export function bootstrapKey(): string {
  return `sk_${randomBytes(8).toString('hex')}_${randomBytes(24).toString('base64url')}`;
}

/** The fields of the gateway's JSON answers that the tests read (all optional: one type for all). */
export interface Body {
  // problem documents
  type?: string;
  title?: string;
  status?: number | string;
  detail?: string;
  instance?: string;
  code?: string;
  retriable?: boolean;
  violations?: { field: string; reason: string; description: string }[];
  // simulations, results, uploads
  simulations?: { simulation_id: string; tenant: string }[];
  results?: { step: number; status?: string; code?: string }[];
  next_cursor?: string;
  step?: number;
  accepted?: number;
  // keys and jobs
  key?: { key_id: string };
  secret?: string;
  keys?: { name: string }[];
  revoked_at?: string | null;
  job_id?: string;
  // readiness
  degraded?: string[];
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON (problem documents too); empty when the answer is not JSON. */
  readonly json: Body;
  readonly bytes: Buffer;
}

/** One HTTP request; JSON bodies are serialized unless `raw` is given. */
export async function call(
  url: string,
  options: {
    method?: string;
    key?: string;
    json?: unknown;
    raw?: Buffer | string;
    type?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  let body: Buffer | string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
    if (options.type !== undefined) headers['content-type'] = options.type;
  }
  const res = await fetch(url, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  const json = /json/.test(type) && bytes.length > 0 ? (JSON.parse(bytes.toString('utf8')) as Body) : {};
  return { status: res.status, headers: res.headers, json, bytes };
}

/** An HS256 JWT (what an identity provider would issue), signed here with node:crypto. */
export function jwtHs256(secret: string, claims: Record<string, unknown>): string {
  const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

export interface SseEvent {
  readonly name: string;
  readonly id?: string;
  readonly data: Body;
}

/** A Server-Sent Events client (fetch, so it can send Authorization) collecting events. */
export class SseClient {
  readonly events: SseEvent[] = [];
  status = 0;
  ended = false;
  private readonly controller = new AbortController();
  private readonly done: Promise<void>;
  private waiters: (() => void)[] = [];
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;

  constructor(url: string, key: string, headers: Record<string, string> = {}) {
    this.done = this.run(url, key, headers);
  }

  private async run(url: string, key: string, headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...headers },
        signal: this.controller.signal,
      });
      this.status = res.status;
      if (res.status !== 200 || res.body === null) {
        this.events.push({ name: 'http', data: (await res.json()) as Body });
        return;
      }
      const decoder = new TextDecoder();
      let buffer = '';
      this.reader = res.body.getReader();
      for (;;) {
        const { value: chunk, done } = await this.reader.read();
        if (done) break;
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const i = line.indexOf(':');
            fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
          }
          if (fields.event !== undefined)
            this.events.push({
              name: fields.event,
              id: fields.id,
              data: JSON.parse(fields.data ?? '{}') as Body,
            });
          for (const w of this.waiters.splice(0)) w();
        }
      }
    } catch {
      // aborted
    } finally {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolves once `predicate` holds for the events so far (or rejects after `timeoutMs`). */
  async until(predicate: (events: readonly SseEvent[]) => boolean, timeoutMs = 10_000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (this.ended && !predicate(this.events))
        throw new Error(`stream ended with ${JSON.stringify(this.events).slice(0, 400)}`);
      if (Date.now() > deadline) throw new Error(`timed out with ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.events;
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.reader?.cancel().catch(() => undefined);
    await this.done;
  }
}

export { waitFor } from '../src/index.js';
