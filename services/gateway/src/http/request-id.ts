/**
 * The request id of an answer and of every log line about it. A caller's X-Request-Id is kept
 * (so one id follows a request across systems) only in a safe form: verbatim it could forge
 * log lines or carry a payload into every log reader; anything else gets a fresh UUID.
 */
import { randomUUID } from 'node:crypto';

export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}
