/**
 * Answers for requests Node's HTTP parser refuses before Fastify sees them (a negative or
 * malformed Content-Length, headers too large, a request that timed out): problem+json like
 * every other answer of the gateway, written straight to the socket, which is then closed.
 */
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE } from '../problem.js';

interface ParserError extends Error {
  readonly code?: string;
}

function problemFor(error: ParserError): { status: number; code: string; detail: string } {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, code: 'REQUEST_TIMEOUT', detail: 'the request did not arrive in time' };
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, code: 'HEADERS_TOO_LARGE', detail: 'the request headers are too large' };
  return { status: 400, code: 'MALFORMED_REQUEST', detail: 'the request is not valid HTTP/1.1' };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** The raw HTTP answer (status line, headers, problem body) for a parser error. */
export function clientErrorResponse(error: ParserError): string {
  const { status, code, detail } = problemFor(error);
  const body = JSON.stringify({
    type: `urn:simstream:error:${code}`,
    title: TITLES[status],
    status,
    detail,
    code,
    retriable: status === 408,
  });
  return (
    `HTTP/1.1 ${status} ${TITLES[status]}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** For Fastify's `clientErrorHandler`. */
export function onClientError(error: ParserError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.end(clientErrorResponse(error));
  else socket.destroy(error);
}
