/**
 * The public HTTP server (Fastify): OpenAPI from the routes' JSON schemas (/openapi.json, UI at
 * /docs), authentication and scope per route, rate limits per credential, problem+json for
 * every error (including 404, 405, 413, 415, 429), request metrics by route pattern.
 */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { requireScope } from '@simstream/auth';
import { authProblem } from './auth-problem.js';
import { PROBLEM_CONTENT_TYPE, HttpError, toProblem } from '../problem.js';
import type { RateLimitMode } from '../rate-limit-store.js';
import { adminRoutes } from '../routes/admin.js';
import { dashboardRoutes } from '../routes/dashboard.js';
import { frameRoutes } from '../routes/frames.js';
import { optimizeRoutes } from '../routes/optimize.js';
import { resultStreamRoutes } from '../routes/results-stream.js';
import { simulationRoutes } from '../routes/simulations.js';
import { onClientError } from './client-errors.js';
import { finiteQuery } from './finite-numbers.js';
import type { RouteDeps } from './context.js';
import { MethodIndex } from './method-index.js';
import { requestId } from './request-id.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { SSE_CONTENT_TYPE } from '../sse/sse-writer.js';

export interface HttpServerDeps extends RouteDeps {
  /** The store class for @fastify/rate-limit (rate-limit-store.ts). */
  readonly rateStore: new (...args: never[]) => unknown;
  readonly rateMode: () => RateLimitMode;
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const { status, problem, headers } = toProblem(error, request.url.split('?')[0], request.id);
  // A dependency being down is expected and counted (breakers); only our own failures get
  // stacks. The downstream's own words (its cause) go to the log only, under the request id.
  if (status === 503 || status === 502 || status === 504)
    request.log.warn(
      {
        code: problem.code,
        cause: (error as { cause?: { details?: string; message?: string } }).cause?.details,
        err: error,
        route: request.routeOptions.url,
      },
      'request failed',
    );
  else if (status >= 500) request.log.error({ err: error, code: problem.code }, 'request failed');
  if (headers.connection === 'close') closeAfter(request, reply);
  return reply.code(status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/**
 * Ends the connection once the answer is out. An answer refusing a body it did not read (an
 * upload over budget, or too slow) must not leave the socket to the client: Node would keep
 * draining the declared bytes for as long as the client cares to send them. The write side
 * closes first (so the answer arrives), the socket a moment later.
 */
function closeAfter(request: FastifyRequest, reply: FastifyReply): void {
  reply.raw.once('finish', () => {
    const socket = request.raw.socket;
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}

export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const { config, metrics } = deps;
  // Typed with Fastify's base logger: our pino (10) and Fastify's own pino types differ in detail.
  const app = Fastify<
    RawServerDefault,
    RawRequestDefaultExpression,
    RawReplyDefaultExpression,
    FastifyBaseLogger
  >({
    loggerInstance: deps.logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.limits.maxRequestBytes,
    // request.ip (the per-address sign-in and rate limits) believes X-Forwarded-For only from
    // AUTH_TRUSTED_PROXIES; `true` would let any caller pick its address with a forged header.
    trustProxy: (address: string) => config.auth.trustedProxies.trusts(address),
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: (raw) => requestId(raw.headers['x-request-id']),
    // Simulation ids are up to 128 characters (SimulationIdParams); Fastify's default is 100.
    routerOptions: { maxParamLength: 256 },
    // Router and parser errors that happen before any route: problem+json like the rest.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      sendProblem(request, reply, error);
    },
    clientErrorHandler: onClientError,
    ajv: {
      customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true },
    },
  });
  const methods = new MethodIndex();
  app.addHook('onRoute', (route) => methods.add(route.method, route.url));
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'simstream gateway',
        version: '1.0.0',
        description:
          'Simulations, their analysis results (JSON, Arrow, live SSE), frame uploads and optimisation. ' +
          'Errors are application/problem+json with a stable `code` (docs/errors.md).',
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key `sk_<key_id>_<secret>`, or a JWT with `tenant` and `scopes` claims where enabled',
          },
        },
      },
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) return;
    // Tenant data: never kept by shared caches.
    reply.header('cache-control', 'no-store');
    try {
      request.principal = await deps.authenticator.authenticate(request.headers.authorization, request.ip);
      requireScope(request.principal, scope);
    } catch (error) {
      throw authProblem(error);
    }
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    store: deps.rateStore as never,
    keyGenerator: (request) => request.principal?.subject ?? request.ip,
    allowList: (request) => request.principal === undefined,
    onExceeded: () => metrics.rateLimited.inc({ store: deps.rateMode() }),
    errorResponseBuilder: (_request, context) =>
      new HttpError(
        429,
        'RATE_LIMITED',
        // context.after is the time left in the window, not the window: name the window.
        `rate limit of ${context.max} requests per ${config.rateLimit.windowMs / 1000} s exceeded for this credential; retry in ${context.after}`,
        {
          retriable: true,
        },
      ),
  });

  app.addHook('preHandler', finiteQuery);

  app.addHook('onResponse', async (request, reply) => {
    // Event streams are counted when they start (their duration is not a latency).
    if (reply.raw.getHeader('content-type') === SSE_CONTENT_TYPE) return;
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(request, reply, error));
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = methods.allowed(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        request,
        reply,
        new HttpError(
          405,
          'METHOD_NOT_ALLOWED',
          `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
        ),
      );
    }
    return sendProblem(
      request,
      reply,
      new HttpError(404, 'ROUTE_NOT_FOUND', `no route ${request.method} ${path}; see /docs`),
    );
  });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  simulationRoutes(app, deps);
  resultStreamRoutes(app, deps);
  optimizeRoutes(app, deps);
  adminRoutes(app, deps);
  await app.register((scope, _options, done) => {
    frameRoutes(scope, deps);
    done();
  });
  dashboardRoutes(app);
  await app.ready();
  return app;
}
