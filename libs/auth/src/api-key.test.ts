import { describe, expect, it } from 'vitest';
import { generateApiKey, hashSecret, parseApiKey, verifySecret } from './api-key.js';

describe('API keys', () => {
  it('generates keys that parse back into id and secret', () => {
    const key = generateApiKey();
    expect(key.token).toMatch(/^sk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(key.token)).toEqual({ keyId: key.keyId, secret: key.secret });
    expect(generateApiKey().token).not.toBe(key.token);
  });

  it('refuses malformed keys', () => {
    for (const text of [
      '',
      'sk_',
      'sk_short_x',
      'pk_abcdefgh_abcdefghijklmnopqrstuv',
      'sk_ABCDEFGH_abcdefghijklmnopqrstuv',
      'sk_abcdefgh_abc def',
    ])
      expect(parseApiKey(text)).toBeUndefined();
    // The secret may contain '_' (base64url); the id may not.
    expect(parseApiKey('sk_abcdefgh_ab_cd-efghijklmnopqrstu')).toEqual({
      keyId: 'abcdefgh',
      secret: 'ab_cd-efghijklmnopqrstu',
    });
  });

  it('hashes secrets with a salt and verifies only the right one', async () => {
    const { secret } = generateApiKey();
    const a = await hashSecret(secret);
    const b = await hashSecret(secret);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(await verifySecret(secret, a)).toBe(true);
    expect(await verifySecret(secret + 'x', a)).toBe(false);
    expect(await verifySecret(secret, 'plain')).toBe(false);
    expect(await verifySecret(secret, 'scrypt$0$8$1$aa$bb')).toBe(false);
  });
});
