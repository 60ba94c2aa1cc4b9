/**
 * Readiness that means something: each check probes an owned dependency (Kafka metadata,
 * `SELECT 1`, Redis PING ...) within a timeout. Liveness is only "the process answers".
 */
import { messageOf } from '@simstream/errors';

export type CheckFn = (signal: AbortSignal) => Promise<void>;

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly CheckResult[];
  /** Failing optional checks: reported, but the instance stays ready (e.g. a cache). */
  readonly degraded: readonly CheckResult[];
}

export class HealthChecks {
  private readonly checks = new Map<string, CheckFn>();
  private readonly optional = new Set<string>();
  private draining = false;

  constructor(private readonly timeoutMs = 2000) {}

  /** Adds (or replaces) a named readiness check. */
  add(name: string, check: CheckFn): this {
    this.checks.set(name, check);
    this.optional.delete(name);
    return this;
  }

  /** A check whose failure is reported under `degraded` without making the instance unready. */
  addOptional(name: string, check: CheckFn): this {
    this.checks.set(name, check);
    this.optional.add(name);
    return this;
  }

  /** From now on not ready (SIGTERM: load balancers stop sending while we drain). */
  startDraining(): void {
    this.draining = true;
  }

  async run(): Promise<ReadinessReport> {
    const results = await Promise.all([...this.checks].map(([name, check]) => this.runOne(name, check)));
    if (this.draining) results.push({ name: 'draining', ok: false, ms: 0, error: 'shutting down' });
    const required = results.filter((r) => !this.optional.has(r.name));
    return {
      ready: required.every((r) => r.ok),
      checks: results,
      degraded: results.filter((r) => !r.ok && this.optional.has(r.name)),
    };
  }

  private async runOne(name: string, check: CheckFn): Promise<CheckResult> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      await Promise.race([check(controller.signal), timeout]);
      return { name, ok: true, ms: Math.round(performance.now() - started) };
    } catch (error) {
      return { name, ok: false, ms: Math.round(performance.now() - started), error: messageOf(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
