import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { liveSubscription } from '../../shared/api/counter.ts';
import type { Dispatch, Reply } from './dispatcher.ts';
import type { LiveFeed } from './live-feed.ts';
import { type Credential, originRefusal } from './request-origin.ts';

/** Where `vite build` puts the renderer (renderer/vite.config.ts). */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

/** The same policy the Electron window gets: nothing but this origin, no inline script. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The one cookie name of the versions before instance cookies; expired when the token is traded. */
const LEGACY_COOKIE = 'taquilla_token';
export const TOKEN_HEADER = 'x-taquilla-token';
export const SESSION_HEADER = 'x-taquilla-session';

/** HTTP status per error code: the only place codes meet statuses. */
export function httpStatus(code: string): number {
  switch (code) {
    case 'VALIDATION':
    case 'PRINTER_TARGET':
      return 400;
    case 'NOT_SIGNED_IN':
    case 'BAD_PIN':
      return 401;
    case 'ROLE_NOT_ALLOWED':
    case 'SUPERVISOR_APPROVAL':
    case 'FOREIGN_ORIGIN':
      return 403;
    case 'UNKNOWN_METHOD':
    case 'UNKNOWN_EVENT':
    case 'UNKNOWN_ZONE':
    case 'UNKNOWN_SEAT':
    case 'UNKNOWN_TRANSACTION':
    case 'UNKNOWN_STAFF':
      return 404;
    case 'LOCKED_OUT':
      return 429;
    case 'INTERNAL':
      return 500;
    case 'STORE_FULL':
      return 507;
    case 'STORE_READ_ONLY':
    case 'STORE_UNAVAILABLE':
      return 503;
    default:
      // Refusals by the rules (SEAT_TAKEN, ZONE_FULL, LIMIT_REACHED, HOLD_EXPIRED, ...): a conflict.
      return 409;
  }
}

export interface HttpServerOptions {
  dispatch: Dispatch;
  live: LiveFeed;
  port?: number;
  /** Defaults to a fresh random token per run. */
  token?: string;
  rendererDir?: string;
  /** Only with `taquilla serve --test-clock`: enables POST /api/test/advance-clock. */
  advanceClock?: (ms: number, pcClockOnly: boolean) => void;
}

export interface RunningServer {
  server: Server;
  port: number;
  token: string;
  /** The one-time URL that sets the token cookie and opens the app. */
  url: string;
  /** Where the app lives for a browser: `http://127.0.0.1:PORT/t/<instance>/` (the cookie's path). */
  appUrl: string;
  /** This instance's cookie: `taquilla_<port>_<instance>`, sent only under the app's path. */
  cookieName: string;
  close: () => Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const MAX_BODY = 1024 * 1024;
const advanceInput = z
  .object({
    ms: z
      .number()
      .int()
      .min(-7 * 24 * 3_600_000)
      .max(7 * 24 * 3_600_000),
    /** Only the PC clock moves (someone set it), not time itself: leases judge time monotonically. */
    pcClockOnly: z.boolean().default(false),
  })
  .strict()
  .refine(
    (a) => a.ms >= 0 || a.pcClockOnly,
    'time only moves forward; set the PC clock back with pcClockOnly',
  );

/**
 * The terminal's API and renderer over HTTP, on 127.0.0.1 only, behind a per-run token: how the UI
 * runs in a plain browser (end-to-end tests, a thin kiosk). Every call goes through the dispatcher.
 *
 * A browser keeps one cookie jar for every port of 127.0.0.1, so the token cookie is this
 * instance's alone: its name carries the port and a per-run instance id, and its Path is the app's
 * own prefix `/t/<instance>/`, so the browser sends it to no other local web app (nor to another
 * terminal on the same PC) and no other instance's cookie replaces it. Which pages may use it:
 * request-origin.ts. Clients with the token header may call `/api/<method>` at the root as well.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  // Part of the app's path: a page on another port that guessed it could make the browser send the
  // cookie to its own server, so it is as unguessable as a token.
  const instance = randomBytes(12).toString('base64url');
  const prefix = `/t/${instance}`;
  const rendererDir = resolve(options.rendererDir ?? DEFAULT_RENDERER_DIR);
  const closers = new Set<() => void>();
  let port = 0;
  let cookieName = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      process.stderr.write(`taquilla http: ${String(error)}\n`);
      if (!res.headersSent)
        sendJson(res, 500, {
          error: { code: 'INTERNAL', message: 'Internal error' },
        });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return sendJson(res, 421, {
        error: { code: 'WRONG_HOST', message: 'Wrong host' },
      });
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname === prefix) {
      res.setHeader('Location', `${prefix}/${url.search}`);
      res.statusCode = 308;
      return void res.end();
    }
    // The path inside the app: the same routes under the instance's prefix and at the root.
    const path = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
    const facts = {
      method: req.method ?? 'GET',
      path,
      origin: header(req, 'origin'),
      secFetchSite: header(req, 'sec-fetch-site'),
    };
    const foreign = originRefusal({ ...facts, credential: null }, port);
    if (foreign) return refuse(res, foreign);
    const queryToken = url.searchParams.get('token');
    if (req.method === 'GET' && path === '/' && queryToken !== null) {
      if (!sameSecret(queryToken, token)) return sendText(res, 401, 'Wrong token.');
      // Swap the one-time URL for a cookie, so the token leaves the address bar and the history.
      res.setHeader('Set-Cookie', [
        `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=${prefix}`,
        `${LEGACY_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`,
      ]);
      res.setHeader('Location', `${prefix}/`);
      res.statusCode = 302;
      return void res.end();
    }
    const credential = credentialOf(req, token, cookieName);
    if (!credential) {
      if (path.startsWith('/api/')) {
        return sendJson(res, 401, {
          error: { code: 'NOT_SIGNED_IN', message: 'Terminal token required' },
        });
      }
      return sendText(res, 401, 'Open the URL printed by `taquilla serve` (it carries the token).');
    }
    const cookieOnly = originRefusal({ ...facts, credential }, port);
    if (cookieOnly) return refuse(res, cookieOnly);
    if (path === '/api/live' && req.method === 'GET') return live(req, res, url);
    if (path === '/api/test/advance-clock') {
      if (!options.advanceClock || req.method !== 'POST') return sendText(res, 404, 'Not found');
      let body: unknown;
      try {
        body = await readJson(req);
      } catch (error) {
        if (error instanceof BodyTooLarge) return tooLarge(req, res);
        return sendJson(res, 400, { error: { code: 'VALIDATION', message: String(error) } });
      }
      const parsed = advanceInput.safeParse(body);
      if (!parsed.success) {
        return sendJson(res, 400, {
          error: { code: 'VALIDATION', message: parsed.error.message },
        });
      }
      options.advanceClock(parsed.data.ms, parsed.data.pcClockOnly);
      return sendJson(res, 200, { advancedBy: parsed.data.ms });
    }
    if (path.startsWith('/api/')) {
      if (req.method !== 'POST') return sendText(res, 405, 'Use POST');
      const method = decodedPath(path.slice('/api/'.length));
      if (method === null) return sendText(res, 400, 'Bad URL encoding');
      let body: unknown;
      try {
        body = await readJson(req);
      } catch (error) {
        if (error instanceof BodyTooLarge) return tooLarge(req, res);
        return sendJson(res, 400, {
          error: {
            code: 'VALIDATION',
            message: String(error),
            details: { issues: [] },
          },
        });
      }
      const reply: Reply = await options.dispatch({
        method,
        input: body,
        sessionToken: header(req, SESSION_HEADER),
      });
      if (reply.ok) return sendJson(res, 200, reply.result, acceptsGzip(req));
      return sendJson(res, httpStatus(reply.error.code), {
        error: reply.error,
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    return serveFile(res, rendererDir, path);
  }

  async function live(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parsed = liveSubscription.safeParse({
      eventId: Number(url.searchParams.get('eventId')),
      sinceVersion: Number(url.searchParams.get('since')),
    });
    if (!parsed.success) {
      return sendJson(res, 400, {
        error: { code: 'VALIDATION', message: parsed.error.message },
      });
    }
    // EventSource cannot set headers: the session token comes as a query parameter.
    const reply = await options.dispatch({
      method: 'session.me',
      input: {},
      sessionToken: url.searchParams.get('session') ?? undefined,
    });
    if (!reply.ok)
      return sendJson(res, httpStatus(reply.error.code), {
        error: reply.error,
      });
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(': taquilla live\n\n');
    const unsubscribe = options.live.subscribe(parsed.data.eventId, parsed.data.sinceVersion, (message) => {
      res.write(`data: ${JSON.stringify(message)}\n\n`);
    });
    const end = () => {
      unsubscribe();
      closers.delete(end);
      res.end();
    };
    closers.add(end);
    req.on('close', end);
  }

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    // Loopback only: the terminal's API is never reachable from the venue's network.
    server.listen(options.port ?? 0, '127.0.0.1', () => ready());
  });
  port = (server.address() as AddressInfo).port;
  cookieName = `taquilla_${port}_${instance}`;
  return {
    server,
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    appUrl: `http://127.0.0.1:${port}${prefix}/`,
    cookieName,
    close: () =>
      new Promise<void>((done) => {
        for (const end of [...closers]) end();
        options.live.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** How the request proves it may use this terminal: the token header, this instance's cookie, or not at all. */
function credentialOf(req: IncomingMessage, token: string, cookieName: string): Credential | null {
  const given = header(req, TOKEN_HEADER);
  if (given !== undefined) return sameSecret(given, token) ? 'header' : null;
  const fromCookie = cookie(req, cookieName);
  return fromCookie !== undefined && sameSecret(fromCookie, token) ? 'cookie' : null;
}

function refuse(res: ServerResponse, why: string): void {
  sendJson(res, 403, { error: { code: 'FOREIGN_ORIGIN', message: `Refused: ${why}` } });
}

/** A request body over MAX_BODY: answered 413, never a reset connection. */
class BodyTooLarge extends Error {}

/** A path segment decoded, or null when its %-encoding is broken (`GET /%` must not be a 500). */
function decodedPath(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/**
 * 413 with a reason. The client may still be sending: the rest of its body is read and dropped (up
 * to a bound), so it gets the answer instead of a reset; past the bound the socket is closed.
 */
function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  sendJson(res, 413, {
    error: { code: 'VALIDATION', message: `request body over ${MAX_BODY} bytes`, details: { issues: [] } },
  });
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 16 * MAX_BODY) req.destroy();
  });
  req.resume();
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((done, fail) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY) return fail(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        fail(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size > MAX_BODY) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return done({});
      try {
        done(JSON.parse(text));
      } catch {
        fail(new Error('request body is not JSON'));
      }
    });
    req.on('error', fail);
  });
}

/** Above this size a JSON answer is gzipped (the stadium's seat map is 3.5 MB of JSON, 0.5 MB zipped). */
const GZIP_ABOVE = 64 * 1024;

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(header(req, 'accept-encoding') ?? '');
}

function sendJson(res: ServerResponse, status: number, body: unknown, gzip = false): void {
  const text = JSON.stringify(body);
  if (gzip && text.length > GZIP_ABOVE) {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip' });
    res.end(gzipSync(text, { level: 1 }));
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function serveFile(res: ServerResponse, root: string, pathname: string): void {
  const decoded = decodedPath(pathname);
  if (decoded === null) return sendText(res, 400, 'Bad URL encoding');
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(root, relative);
  if (!file.startsWith(root)) return sendText(res, 404, 'Not found');
  if (!existsSync(file) || statSync(file).isDirectory()) {
    // The renderer is a single page: unknown paths get the app, assets 404.
    if (extname(relative) !== '') return sendText(res, 404, 'Not found');
    file = join(root, 'index.html');
  }
  if (!existsSync(file)) return sendText(res, 503, 'Renderer not built: run `npm run build:renderer`.');
  const type = MIME[extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'Content-Type': type };
  if (type.startsWith('text/html')) headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
  res.writeHead(200, headers);
  res.end(readFileSync(file));
}
