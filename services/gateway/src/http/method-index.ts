/**
 * Which methods a path has routes for, so that a known path with the wrong method gets 405 with
 * an Allow header instead of Fastify's plain 404.
 */
interface Pattern {
  readonly regex: RegExp;
  readonly methods: Set<string>;
}

function compile(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) =>
      part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}/?$`);
}

export class MethodIndex {
  private readonly patterns = new Map<string, Pattern>();

  add(method: string | string[], url: string): void {
    let pattern = this.patterns.get(url);
    if (pattern === undefined) {
      pattern = { regex: compile(url), methods: new Set() };
      this.patterns.set(url, pattern);
    }
    for (const m of Array.isArray(method) ? method : [method]) pattern.methods.add(m.toUpperCase());
  }

  /** Methods routed for `path` (empty when no route matches the path at all). */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const p of this.patterns.values()) if (p.regex.test(path)) for (const m of p.methods) methods.add(m);
    return [...methods].sort();
  }
}
