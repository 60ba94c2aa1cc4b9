/**
 * API keys: `sk_<keyId>_<secret>`. The key id is public (it names the row and the rate-limit
 * bucket); the secret is 32 random bytes shown once and stored only as a salted scrypt hash,
 * compared in constant time.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

const KEY_PATTERN = /^sk_([a-z0-9]{8,64})_([A-Za-z0-9_-]{16,128})$/;

export interface ParsedApiKey {
  readonly keyId: string;
  readonly secret: string;
}

/** The parts of a key, or undefined when the text is not shaped like one. */
export function parseApiKey(text: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(text);
  return match === null ? undefined : { keyId: match[1]!, secret: match[2]! };
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('sk_');
}

/** A new key: 16 hex digits of id, 256 bits of secret. */
export function generateApiKey(): ParsedApiKey & { readonly token: string } {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, token: `sk_${keyId}_${secret}` };
}

// N=2^14, r=8, p=1: the interactive-login parameters of the scrypt paper (~16 MiB, tens of ms on
// the thread pool). The secrets are 256-bit random, so this guards a leaked table, not guessing.
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scrypt(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: n, r, p, maxmem: 64 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$N$r$p$<salt>$<hash>` (base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** True when `secret` matches the stored hash; false for a wrong secret or a malformed hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every((x) => Number.isSafeInteger(x) && x > 0)) return false;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await scrypt(secret, salt, n, r, p);
  return timingSafeEqual(actual, expected);
}
