/**
 * InfluxDB writes in line protocol over the v1 HTTP API (`POST /write?db=…&precision=ms`),
 * which InfluxDB 1.x serves and 2.x serves as its v1 compatibility API (token auth). A point's
 * identity is measurement + tags + timestamp, so writing the same point twice overwrites it:
 * replays are idempotent when the timestamp comes from the data (not from the clock).
 */
import { SimstreamError, UnavailableError, messageOf } from '@simstream/errors';

export type FieldValue = number | boolean | string | { readonly int: number };

export interface Point {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly timestampMs: number;
  /**
   * Nanoseconds within the millisecond (0–999999), so that points of one series in the same
   * millisecond stay distinct (e.g. the step modulo 10^6). Deterministic, like the timestamp.
   */
  readonly subMillisecondNs?: number;
}

export interface InfluxOptions {
  readonly url: string;
  readonly database: string;
  /** InfluxDB 2.x token (v1 compatibility API); or username/password for 1.x with auth. */
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const escapeMeasurement = (s: string) => s.replace(/[, ]/g, (c) => `\\${c}`);
const escapeKey = (s: string) => s.replace(/[,= ]/g, (c) => `\\${c}`);
const escapeString = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

function fieldText(value: FieldValue): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return escapeString(value);
  return Number.isSafeInteger(value.int) ? `${value.int}i` : undefined;
}

/** One line of line protocol; non-finite numbers are left out (InfluxDB refuses them). Undefined if no field is left. */
export function toLine(point: Point): string | undefined {
  const tags = Object.entries(point.tags)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `,${escapeKey(k)}=${escapeKey(v)}`)
    .join('');
  const fields = Object.entries(point.fields)
    .map(([k, v]) => {
      const text = fieldText(v);
      return text === undefined ? undefined : `${escapeKey(k)}=${text}`;
    })
    .filter((f): f is string => f !== undefined);
  if (fields.length === 0) return undefined;
  const ns = Math.min(999_999, Math.max(0, Math.trunc(point.subMillisecondNs ?? 0)));
  // Nanosecond precision, written as text: ms × 10^6 overflows double precision.
  return `${escapeMeasurement(point.measurement)}${tags} ${fields.join(',')} ${Math.round(point.timestampMs)}${String(ns).padStart(6, '0')}`;
}

export class InfluxWriter {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: InfluxOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  private url(path: string, params: Record<string, string>): string {
    const url = new URL(path, this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (this.options.username !== undefined) url.searchParams.set('u', this.options.username);
    if (this.options.password !== undefined) url.searchParams.set('p', this.options.password);
    return url.toString();
  }

  private headers(): Record<string, string> {
    return this.options.token === undefined ? {} : { authorization: `Token ${this.options.token}` };
  }

  /** Writes the points (one request); UnavailableError when InfluxDB is unreachable or failing (retry), else a precise error. */
  async write(points: readonly Point[]): Promise<void> {
    const body = points
      .map(toLine)
      .filter((l): l is string => l !== undefined)
      .join('\n');
    if (body === '') return;
    let response: Response;
    try {
      response = await this.fetch(this.url('write', { db: this.options.database, precision: 'ns' }), {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'text/plain; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new UnavailableError('influxdb', `write failed: ${messageOf(error)}`, { cause: error });
    }
    if (response.status === 204 || response.status === 200) return;
    const text = (await response.text().catch(() => '')).slice(0, 500);
    if (response.status >= 500 || response.status === 429)
      throw new UnavailableError('influxdb', `write answered ${response.status}: ${text}`);
    throw new SimstreamError(
      'INFLUX_WRITE_REFUSED',
      `InfluxDB refused the write (${response.status}): ${text}`,
    );
  }

  /** Readiness: /ping answers 204. */
  async ping(): Promise<void> {
    const response = await this.fetch(this.url('ping', {}), {
      headers: this.headers(),
      signal: AbortSignal.timeout(2000),
    });
    if (response.status !== 204) throw new UnavailableError('influxdb', `/ping answered ${response.status}`);
  }

  /** Runs an InfluxQL query (tests, operations); returns the JSON answer. */
  async query(q: string): Promise<unknown> {
    const response = await this.fetch(this.url('query', { db: this.options.database, q, epoch: 'ms' }), {
      headers: this.headers(),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new UnavailableError('influxdb', `query answered ${response.status}`);
    return response.json();
  }
}
