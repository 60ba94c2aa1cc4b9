import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier } from './jwt.js';

const CLAIMS = { tenant: 'acme', scopes: ['read'] };

function hs256(secret: string, exp: string | number = '5m'): Promise<string> {
  return new SignJWT(CLAIMS)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

function es256(key: KeyObject): Promise<string> {
  return new SignJWT(CLAIMS).setProtectedHeader({ alg: 'ES256' }).setExpirationTime('5m').sign(key);
}

describe('JWT key rollover', () => {
  const [oldSecret, newSecret, otherSecret] = ['o', 'n', 'x'].map((c) => c.repeat(40)) as [
    string,
    string,
    string,
  ];

  it('accepts tokens of the current and the previous HS256 secret, and nothing else', async () => {
    const rolling = createJwtVerifier({ secret: newSecret, previousSecret: oldSecret });
    await expect(rolling(await hs256(newSecret))).resolves.toMatchObject({ tenant: 'acme' });
    await expect(rolling(await hs256(oldSecret))).resolves.toMatchObject({ tenant: 'acme' });
    await expect(rolling(await hs256(otherSecret))).rejects.toMatchObject({ code: 'AUTH_INVALID' });
    // An expired token of the old secret is expired, not "signed by another key".
    const expired = await hs256(oldSecret, Math.floor(Date.now() / 1000) - 60);
    await expect(rolling(expired)).rejects.toMatchObject({ code: 'AUTH_EXPIRED' });
    // The rollover ends: the old secret is removed.
    const done = createJwtVerifier({ secret: newSecret });
    await expect(done(await hs256(oldSecret))).rejects.toMatchObject({ code: 'AUTH_INVALID' });
  });

  it('accepts tokens of every public key listed (old and new, EC and RSA), and no other', async () => {
    const oldPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const newPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
    const verify = createJwtVerifier({ publicKey: pem(newPair.publicKey) + pem(oldPair.publicKey) });
    await expect(verify(await es256(oldPair.privateKey))).resolves.toMatchObject({ tenant: 'acme' });
    const rs = await new SignJWT(CLAIMS)
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('5m')
      .sign(newPair.privateKey);
    await expect(verify(rs)).resolves.toMatchObject({ tenant: 'acme' });
    await expect(verify(await es256(stranger.privateKey))).rejects.toMatchObject({ code: 'AUTH_INVALID' });
  });
});
