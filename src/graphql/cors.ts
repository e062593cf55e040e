import type { IncomingMessage } from 'node:http';
import type { CORSOptions, Plugin } from 'graphql-yoga';

/**
 * Which web origins may call the API from a browser. Tokens travel in the Authorization header,
 * never in cookies, so credentials are never allowed; an origin outside the list gets no CORS
 * headers at all and the browser keeps the answer from it. (Reflecting any Origin with
 * credentials, yoga's default, let every site on the web read answers.)
 */
export type CorsPolicy = Readonly<{
  /** Exact origins, e.g. "https://app.example.com". */
  origins: readonly string[];
  /** Any http://localhost:<port>, 127.0.0.1 or [::1]: development front ends. */
  localhost: boolean;
}>;

export const NO_CROSS_ORIGIN: CorsPolicy = { origins: [], localhost: false };

const LOCALHOST = /^https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/;

export const allowsOrigin = (policy: CorsPolicy, origin: string): boolean =>
  policy.origins.includes(origin) || (policy.localhost && LOCALHOST.test(origin));

export function corsOptions(policy: CorsPolicy): (request: Request) => CORSOptions {
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowsOrigin(policy, origin)) return false;
    return {
      origin,
      credentials: false,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', 'x-graphql-yoga-csrf'],
      exposedHeaders: ['retry-after'],
      maxAge: 600,
    };
  };
}

/** Answers depend on the Origin: no shared cache may hand one origin's answer to another. */
export function useVaryOrigin(): Plugin {
  return {
    onResponse: ({ response }) => {
      const vary = response.headers.get('vary');
      if (!vary?.split(',').some((v) => v.trim().toLowerCase() === 'origin')) response.headers.append('vary', 'Origin');
    },
  };
}

/**
 * Browsers apply no CORS to WebSockets: a page on any site may open one. The token is in
 * connectionParams (a page cannot borrow it as it could a cookie), but only allowed origins
 * and the API's own page may connect all the same. Non-browser clients send no Origin.
 */
export function allowsWebSocket(policy: CorsPolicy, request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowsOrigin(policy, origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
