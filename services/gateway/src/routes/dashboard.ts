/**
 * The dashboard: one static HTML page and one script (no build step), served as files read at
 * start. It lists the caller's simulations and draws live anomaly scores from the SSE endpoint;
 * the API key is typed into the page and kept in sessionStorage only.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = new URL('../../public/', import.meta.url);
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function dashboardRoutes(app: FastifyInstance): void {
  const files = {
    html: readFileSync(new URL('dashboard.html', PUBLIC_DIR), 'utf8'),
    js: readFileSync(new URL('dashboard.js', PUBLIC_DIR), 'utf8'),
    css: readFileSync(new URL('dashboard.css', PUBLIC_DIR), 'utf8'),
  };
  const hide = { schema: { hide: true } };
  app.get('/', hide, (_request, reply) => reply.redirect('/dashboard'));
  app.get('/favicon.ico', hide, (_request, reply) => reply.code(204).send());
  app.get('/dashboard', hide, (_request, reply) =>
    reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(files.html),
  );
  app.get('/dashboard.js', hide, (_request, reply) =>
    reply.headers(SECURITY_HEADERS).type('text/javascript; charset=utf-8').send(files.js),
  );
  app.get('/dashboard.css', hide, (_request, reply) =>
    reply.headers(SECURITY_HEADERS).type('text/css; charset=utf-8').send(files.css),
  );
}
