/** One named check of the deployment artefacts: the problems it found (none: passed). */
export interface Check {
  readonly name: string;
  run(): Promise<string[]>;
}

export interface CheckResult {
  readonly name: string;
  readonly problems: readonly string[];
  readonly ms: number;
}

export async function runCheck(check: Check): Promise<CheckResult> {
  const start = performance.now();
  let problems: string[];
  try {
    problems = await check.run();
  } catch (error) {
    problems = [`check crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`];
  }
  return { name: check.name, problems, ms: Math.round(performance.now() - start) };
}
