/**
 * Every error code and rejection reason raised in the code base is documented in
 * docs/errors.md (Fastify's rule): a client that gets a code can look it up.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CODE = /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'/g;
const CALL = /\b(violation|super|[A-Za-z]*Error)\(/g;

function sources(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
    if (statSync(full).isDirectory()) out = out.concat(sources(full));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** The first two arguments of every call to violation(...), super(...) or *Error(...). */
function leadingArguments(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(CALL)) {
    let depth = 1;
    let commas = 0;
    let i = (match.index ?? 0) + match[0].length;
    const start = i;
    for (; i < text.length && depth > 0 && commas < 2; i++) {
      const c = text[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      else if (c === ',' && depth === 1) commas++;
    }
    out.push(text.slice(start, i));
  }
  return out;
}

export function raisedCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const top of ['libs', 'services', 'tools']) {
    for (const file of sources(path.join(ROOT, top))) {
      const text = readFileSync(file, 'utf8');
      const snippets = [
        ...leadingArguments(text),
        ...[...text.matchAll(/\b(?:reason|code):\s*'[A-Z][^']*'/g)].map((m) => m[0]),
      ];
      for (const snippet of snippets) {
        for (const m of snippet.matchAll(CODE))
          if (m[1]!.length >= 4) codes.set(m[1]!, path.relative(ROOT, file));
      }
    }
  }
  return codes;
}

describe('error codes', () => {
  it('are all documented in docs/errors.md', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
    const missing = [...raisedCodes()]
      .filter(([code]) => !doc.includes(`\`${code}\``))
      .map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });
});
