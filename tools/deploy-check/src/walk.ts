/** Reading untyped documents (YAML, JSON) without `any`: a path in, `unknown` out. */

export function at(value: unknown, ...path: readonly (string | number)[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

export function arrayAt(value: unknown, ...path: readonly (string | number)[]): unknown[] {
  const v = at(value, ...path);
  return Array.isArray(v) ? (v as unknown[]) : [];
}

export function stringAt(value: unknown, ...path: readonly (string | number)[]): string | undefined {
  const v = at(value, ...path);
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}
