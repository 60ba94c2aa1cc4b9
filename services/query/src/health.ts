/**
 * Readiness with degraded dependencies: required checks decide readiness; optional ones (Redis,
 * a cache; InfluxDB, which only pauses the materializer) are probed too and reported under
 * `degraded` in the /readyz JSON without making the instance unready.
 */
import { HealthChecks, type CheckFn, type CheckResult, type ReadinessReport } from '@simstream/observability';

export class ServiceHealth extends HealthChecks {
  private readonly optional = new HealthChecks();

  /** A check whose failure is reported but does not make the instance unready. */
  addOptional(name: string, check: CheckFn): this {
    this.optional.add(name, check);
    return this;
  }

  override async run(): Promise<ReadinessReport> {
    const [required, optional] = await Promise.all([super.run(), this.optional.run()]);
    const degraded: CheckResult[] = optional.checks.filter((c) => !c.ok);
    const report = { ...required, checks: [...required.checks, ...optional.checks], degraded };
    return report;
  }
}
