import { createRequire } from 'node:module';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';

/**
 * GraphiQL served whole by the api, never from a CDN, so it works offline. yoga's built-in page
 * loads six files from unpkg (a blank "Loading __TITLE__..." without a network); the build it
 * loads ships in @graphql-yoga/render-graphiql, which this module serves as same-origin files:
 * a small page, then the script, styles, favicon and the three editor workers, each cached for
 * good under a versioned path. Nothing on the page runs inline, so a strict CSP holds.
 */
const version = (createRequire(import.meta.url)('@graphql-yoga/render-graphiql/package.json') as { version: string }).version;

export const GRAPHIQL_ASSETS = `/graphiql/${version}/`;
export const GRAPHIQL_TITLE = 'JetLedger GraphiQL';

type Build = typeof import('@graphql-yoga/render-graphiql/graphiql');
type Asset = Readonly<{ type: string; body: (build: Build) => string | Uint8Array }>;

// Monaco asks for a worker by label; each is served as a same-origin script.
const WORKERS = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' } as const;

const MONACO_ENV = `self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (_moduleId, label) {
  var workers = ${JSON.stringify(Object.fromEntries(Object.entries(WORKERS).map(([label, file]) => [label, GRAPHIQL_ASSETS + file])))};
  return workers[label] || workers.editorWorkerService;
} };`;

// The options travel as JSON in a non-executed <script type="application/json">.
const BOOT = `YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'),
  JSON.parse(document.getElementById('graphiql-options').textContent));`;

const js = 'text/javascript; charset=utf-8';
const ASSETS: Record<string, Asset> = {
  'graphiql.js': { type: js, body: (b) => b.js },
  'graphiql.css': { type: 'text/css; charset=utf-8', body: (b) => b.css },
  'favicon.ico': { type: 'image/x-icon', body: (b) => Buffer.from(b.favicon.replace(/^data:[^,]*;base64,/, ''), 'base64') },
  'monaco-env.js': { type: js, body: () => MONACO_ENV },
  'boot.js': { type: js, body: () => BOOT },
  [WORKERS.editorWorkerService]: { type: js, body: (b) => b.editorWorkerService },
  [WORKERS.json]: { type: js, body: (b) => b.jsonWorker },
  [WORKERS.graphql]: { type: js, body: (b) => b.graphqlWorker },
};

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** JSON inside <script> must not be able to close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028|\u2029/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

export function renderGraphiQLPage(options: GraphiQLOptions): string {
  const title = escapeHtml(options.title ?? GRAPHIQL_TITLE);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="${GRAPHIQL_ASSETS}favicon.ico" />
    <link rel="stylesheet" href="${GRAPHIQL_ASSETS}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root">Loading ${title}…</div>
    <script id="graphiql-options" type="application/json">${scriptJson(options)}</script>
    <script src="${GRAPHIQL_ASSETS}monaco-env.js"></script>
    <script src="${GRAPHIQL_ASSETS}graphiql.js"></script>
    <script src="${GRAPHIQL_ASSETS}boot.js"></script>
  </body>
</html>
`;
}

/** Only our own origin: scripts, workers, requests. Monaco sets styles inline; fonts and icons are data: URLs. */
export const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Serves the GraphiQL files and puts the CSP on the page. */
export function useGraphiQLAssets(): Plugin {
  // 9 MB of strings: loaded on the first request for them, never when GraphiQL is off.
  let build: Promise<Build> | undefined;
  return {
    onRequest: async ({ url, endResponse, fetchAPI, request }) => {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS) || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      const asset = ASSETS[url.pathname.slice(GRAPHIQL_ASSETS.length)];
      if (!asset) return;
      build ??= import('@graphql-yoga/render-graphiql/graphiql');
      const body = asset.body(await build);
      endResponse(
        new fetchAPI.Response(body as BodyInit, {
          status: 200,
          headers: {
            'content-type': asset.type,
            // The path carries the version: a new build has a new path.
            'cache-control': 'public, max-age=31536000, immutable',
            'x-content-type-options': 'nosniff',
          },
        }),
      );
    },
    onResponse: ({ response }) => {
      if (response.headers.get('content-type')?.startsWith('text/html')) {
        response.headers.set('content-security-policy', GRAPHIQL_CSP);
        response.headers.set('x-content-type-options', 'nosniff');
        response.headers.set('referrer-policy', 'no-referrer');
      }
    },
  };
}
