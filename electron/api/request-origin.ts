/**
 * Which page a request to the local API comes from. Browsers scope neither cookies nor "same-site"
 * by port: every web app on 127.0.0.1 is same-site with the terminal, and SameSite=Strict cookies
 * go along with its requests. So the terminal asks the browser's own headers, which a page cannot
 * forge: `Origin` (sent by Chromium, Firefox and Safari with every POST and every CORS request)
 * and `Sec-Fetch-Site`.
 *
 * The rule, for every request of this server:
 * 1. An `Origin` that is not exactly this instance's (`http://127.0.0.1:PORT` or
 *    `http://localhost:PORT`) is refused, whatever credential comes with it (`null` included).
 * 2. Under /api/, a `Sec-Fetch-Site` other than `same-origin` is refused (a page on another port
 *    says `same-site`; this covers the live feed's GET, which carries no Origin).
 * 3. A state-changing request (anything but GET/HEAD) that proves itself only with the cookie must
 *    carry this instance's `Origin`: a browser always sends one, so a missing Origin is not a browser
 *    request from this page.
 * Requests with the token header (tests, scripts, the CLI) need no Origin: no page can read the
 * token, and a page cannot add that header to a request to another origin without a CORS preflight,
 * which this server never grants. Rule 1 still applies to them.
 */

/** How a request proved it may use this terminal. */
export type Credential = 'header' | 'cookie';

export interface RequestFacts {
  method: string;
  /** The path inside the app (after the instance's prefix). */
  path: string;
  origin: string | undefined;
  secFetchSite: string | undefined;
  /** null while the credential is not known yet (rules 1 and 2 need none). */
  credential: Credential | null;
}

/** The only origins this instance's pages have. */
export function instanceOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** Why a request is refused (a sentence for the log and the 403 body), or null when it may go on. */
export function originRefusal(request: RequestFacts, port: number): string | null {
  const { origin, secFetchSite, credential } = request;
  if (origin !== undefined && !instanceOrigins(port).includes(origin)) {
    return `requests from ${origin} are not accepted here`;
  }
  if (request.path.startsWith('/api/') && secFetchSite !== undefined && secFetchSite !== 'same-origin') {
    return `a ${secFetchSite} page cannot call this terminal`;
  }
  const changes = request.method !== 'GET' && request.method !== 'HEAD';
  if (changes && credential === 'cookie' && origin === undefined) {
    return "a request with the cookie must come from this terminal's page (Origin missing)";
  }
  return null;
}
