/**
 * Connections of the HTTP server and whether a request is in flight on each, so that a drain
 * can close the ones doing nothing: Node's closeIdleConnections() misses sockets whose last
 * response was written outside Fastify's reply (event streams), and keep-alive clients would
 * otherwise hold the server open for seconds after their last answer.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export class IdleSockets {
  private readonly inFlight = new Map<Socket, number>();

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.inFlight.set(socket, 0);
      socket.once('close', () => this.inFlight.delete(socket));
    });
    server.on('request', (request: { socket: Socket }, response: NodeJS.EventEmitter) => {
      const socket = request.socket;
      this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const n = (this.inFlight.get(socket) ?? 1) - 1;
        if (this.inFlight.has(socket)) this.inFlight.set(socket, n);
      });
    });
  }

  /** Destroys every connection without a request in flight; returns how many were left open. */
  closeIdle(): number {
    for (const [socket, n] of this.inFlight) if (n <= 0) socket.destroy();
    return [...this.inFlight.values()].filter((n) => n > 0).length;
  }
}
