import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';

/** Where and how much the server logs: pino JSON lines, one object per line. */
export interface LogOptions {
  /** pino level: fatal, error, warn, info (default), debug (adds one line per request), trace, silent. */
  level?: string;
  /** Where lines go (default stdout). */
  stream?: { write(line: string): void };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A request id a proxy may hand us (X-Request-Id); anything else is replaced by our own. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Secrets that can ride in a URL (the live socket's `?token=`) never reach a log line. */
export function loggableUrl(url: string): string {
  return url.replace(/([?&](?:token|code|secret)=)[^&#]*/gi, '$1[redacted]');
}

/**
 * Fastify's logger options: pino with a request id on every line, the Authorization header and
 * anything called a secret, password or token redacted wherever it appears, and URLs without their
 * secrets. Fastify's own two lines per request are off; `registerRequestLog` writes one instead.
 */
export function loggerOptions(log: LogOptions | false) {
  if (log === false) return { logger: false as const };
  return {
    logger: {
      level: log.level ?? 'info',
      ...(log.stream ? { stream: log.stream } : {}),
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'secret',
          'password',
          'token',
          '*.secret',
          '*.password',
          '*.token',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (request: FastifyRequest) => ({
          method: request.method,
          url: loggableUrl(request.url),
          remoteAddress: request.ip,
        }),
      },
    },
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (raw: IncomingMessage) => {
      const given = raw.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  };
}

/**
 * Every reply names its request id (X-Request-Id), which is on every log line about it. One line per
 * request: server errors at `error` (the error itself is logged where it is handled, with its stack),
 * refused credentials and rate limits at `warn` (someone may be guessing), everything else at `debug`.
 */
export function registerRequestLog(app: FastifyInstance, logging: boolean): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  if (!logging) return;
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status === 401 || status === 429 ? 'warn' : 'debug';
    const log = request.log as FastifyBaseLogger & { isLevelEnabled(level: string): boolean };
    if (!log.isLevelEnabled(level)) return;
    request.log[level](
      {
        method: request.method,
        url: loggableUrl(request.url),
        route: request.routeOptions.url,
        status,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
        ...(request.credential
          ? { tenant: request.credential.tenantId, credential: request.credential.id }
          : {}),
      },
      'request',
    );
  });
}
