import { describe, expect, it } from 'vitest';
import { SseClients } from './sse-clients.js';

describe('SseClients', () => {
  it('caps the streams of one tenant (429) below the replica cap (503), and frees on release', () => {
    const clients = new SseClients(5, 2);
    const a1 = clients.reserve('a');
    clients.reserve('a');
    expect(() => clients.reserve('a')).toThrow(
      expect.objectContaining({ status: 429, code: 'TOO_MANY_STREAMS', retriable: true }),
    );
    clients.reserve('b');
    clients.reserve('b');
    clients.reserve('c');
    expect(() => clients.reserve('d')).toThrow(expect.objectContaining({ status: 503 }));
    a1();
    a1();
    expect(clients.count).toBe(4);
    clients.reserve('a');
  });
});
