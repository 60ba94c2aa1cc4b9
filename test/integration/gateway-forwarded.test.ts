/**
 * Gateway: the address a failed sign-in counts against. X-Forwarded-For is believed only from
 * the proxies in AUTH_TRUSTED_PROXIES: a client that forges it stays in its own address's
 * budget, while clients behind a trusted edge proxy each get their own. Every client here
 * connects from an address of its own in 127/8 (Linux routes all of it to loopback), so the
 * per-address counters in the shared Redis meet no other test's.
 */
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryDouble, QuantumDouble } from './gateway-doubles.js';
import { bootstrapKey, startGateway, type GatewayProcess } from './gateway-harness.js';

/** An address in 127/8 that no other run of this test is likely to have used this minute. */
const loopback = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const documentation = () => `198.51.100.${randomInt(1, 255)}`;

/** A sign-in with an unknown key from `localAddress`, optionally naming a forwarded client. */
function signIn(gateway: GatewayProcess, localAddress: string, forwardedFor?: string): Promise<string> {
  const key = `sk_${randomBytes(8).toString('hex')}_${randomBytes(24).toString('base64url')}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: gateway.httpPort,
        path: '/v1/simulations',
        localAddress,
        headers: {
          authorization: `Bearer ${key}`,
          ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(String((JSON.parse(body) as { code?: string }).code)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function attempts(n: number, attempt: () => Promise<string>): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) codes.push(await attempt());
  return codes;
}

describe('gateway: X-Forwarded-For and the per-address sign-in limit', () => {
  const query = new QueryDouble();
  const quantum = new QuantumDouble();
  const proxy = loopback();
  let direct: GatewayProcess;
  let behindProxy: GatewayProcess;

  beforeAll(async () => {
    const env = {
      QUERY_ADDRESS: await query.start(),
      QUANTUM_ADDRESS: await quantum.start(),
      INGESTION_ADDRESS: '127.0.0.1:9', // not used here
      GATEWAY_BOOTSTRAP_ADMIN_KEY: bootstrapKey(),
      AUTH_FAILURES_PER_ADDRESS: '3',
    };
    [direct, behindProxy] = await Promise.all([
      startGateway(env),
      startGateway({ ...env, AUTH_TRUSTED_PROXIES: `${proxy}/32` }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([direct?.stop(), behindProxy?.stop()]);
    query.kill();
    quantum.stop();
  });

  it('ignores a forged X-Forwarded-For: a new address in every request does not reset the budget', async () => {
    const client = loopback();
    const codes = await attempts(5, () => signIn(direct, client, documentation()));
    expect(codes).toEqual([
      'AUTH_INVALID',
      'AUTH_INVALID',
      'AUTH_INVALID',
      'AUTH_RATE_LIMITED',
      'AUTH_RATE_LIMITED',
    ]);
  });

  it('gives each client behind a trusted proxy its own budget, and believes no one else', async () => {
    const [alice, bob] = [documentation(), `203.0.113.${randomInt(1, 255)}`];
    const aliceCodes = await attempts(4, () => signIn(behindProxy, proxy, alice));
    expect(aliceCodes).toEqual(['AUTH_INVALID', 'AUTH_INVALID', 'AUTH_INVALID', 'AUTH_RATE_LIMITED']);
    // Bob comes through the same proxy: Alice's failures are not his.
    expect(await signIn(behindProxy, proxy, bob)).toBe('AUTH_INVALID');
    // A client beside the proxy cannot claim to be Bob: it is counted as itself.
    const intruder = loopback();
    const forged = await attempts(4, () => signIn(behindProxy, intruder, bob));
    expect(forged).toEqual(['AUTH_INVALID', 'AUTH_INVALID', 'AUTH_INVALID', 'AUTH_RATE_LIMITED']);
    expect(await signIn(behindProxy, proxy, bob)).toBe('AUTH_INVALID');
  });
});
