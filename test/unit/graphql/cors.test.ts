/** CORS from an allowlist, never with credentials; the same allowlist guards WebSocket upgrades. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTokenVerifier } from '../../../src/infra/auth/jwt.js';
import { createGraphQLHandler } from '../../../src/graphql/server.js';
import { startHttpServer, type RunningHttpServer } from '../../../src/infra/http/server.js';
import { createFakeLedgerApp } from '../../support/fake-ledger-app.js';
import { recordingLogger, SECRET } from './harness.js';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';

function handler(cors?: { origins: string[]; localhost: boolean }) {
  return createGraphQLHandler({ app: createFakeLedgerApp(), verifyToken: createTokenVerifier({ secret: SECRET }), logger: recordingLogger(), cors });
}

const preflight = (h: ReturnType<typeof handler>, origin: string) =>
  h.yoga.fetch('http://jetledger.test/graphql', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

const post = (h: ReturnType<typeof handler>, origin: string) =>
  h.yoga.fetch('http://jetledger.test/graphql', {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ assets { code } }' }),
  });

describe('CORS over HTTP', () => {
  it('answers an allowed origin with its own origin, the Authorization header, and no credentials', async () => {
    const h = handler({ origins: [ALLOWED], localhost: false });
    for (const response of [await preflight(h, ALLOWED), await post(h, ALLOWED)]) {
      expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/origin/i);
    }
    expect((await preflight(h, ALLOWED)).headers.get('access-control-allow-headers')).toMatch(/authorization/);
  });

  it('gives any other origin no CORS headers at all, so the browser withholds the answer', async () => {
    const h = handler({ origins: [ALLOWED], localhost: false });
    for (const response of [await preflight(h, EVIL), await post(h, EVIL)]) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/origin/i);
    }
  });

  it('allows nobody by default, and localhost only when the policy says so', async () => {
    expect((await post(handler(), 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBeNull();
    const dev = handler({ origins: [], localhost: true });
    expect((await post(dev, 'http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect((await post(dev, 'http://127.0.0.1:3000')).headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect((await post(dev, 'http://localhost.evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps yoga CSRF prevention: a GET without a non-simple header is refused', async () => {
    const h = handler({ origins: [ALLOWED], localhost: false });
    const url = `http://jetledger.test/graphql?query=${encodeURIComponent('{ assets { code } }')}`;
    const bare = await h.yoga.fetch(url, { headers: { accept: 'application/json' } });
    expect(bare.status).toBe(403);
    expect(await bare.json()).toMatchObject({ errors: [{ extensions: { code: 'CSRF_HEADER_REQUIRED' } }] });
    const marked = await h.yoga.fetch(url, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } });
    expect(marked.status).toBe(200);
  });
});

describe('CORS for WebSocket upgrades', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    const h = handler({ origins: [ALLOWED], localhost: false });
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      yoga: h.yoga,
      attachWebSocket: h.attachWebSocket,
      routes: { healthz: async () => ({ ok: true }), readyz: async () => ({ ok: true, checks: {} }), metrics: async () => ({ contentType: 'text/plain', body: '' }) },
    });
  });
  afterAll(() => server.close());

  const upgrade = (origin?: string) =>
    new Promise<string>((resolve) => {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', origin === undefined ? {} : { origin });
      socket.once('open', () => {
        socket.close();
        resolve('open');
      });
      socket.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      socket.once('error', () => resolve('error'));
    });

  it('lets in an allowed origin, the API’s own origin and clients that send none; refuses others', async () => {
    expect(await upgrade(ALLOWED)).toBe('open');
    expect(await upgrade(server.url)).toBe('open');
    expect(await upgrade()).toBe('open');
    expect(await upgrade(EVIL)).toBe('refused 401');
  });
});
