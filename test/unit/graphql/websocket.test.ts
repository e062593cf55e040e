import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHttpServer, type RunningHttpServer } from '../../../src/infra/http/server.js';
import { balanceView } from '../../support/fake-ledger-app.js';
import { codes, createHarness, nextWithin, until, type GraphQLResponse, type Harness } from './harness.js';

let h: Harness;
let server: RunningHttpServer;
let wsUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  h = await createHarness();
  server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    yoga: h.yoga,
    attachWebSocket: h.handler.attachWebSocket,
    routes: {
      healthz: async () => ({ ok: true }),
      readyz: async () => ({ ok: false, checks: { nats: true, mongo: false } }),
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'jetledger_up 1\n' }),
    },
  });
  wsUrl = `${server.url.replace(/^http/, 'ws')}/graphql`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server.close();
});

beforeEach(() => {
  h.app.submitted.length = 0;
});

function client(token?: string, on: Parameters<typeof createClient>[0]['on'] = {}): Client {
  const c = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    on,
  });
  clients.push(c);
  return c;
}

describe('the HTTP server', () => {
  it('answers probes and metrics beside /graphql', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([503, { ok: false, checks: { nats: true, mongo: false } }]);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toBe('jetledger_up 1\n');
  });

  it('serves GraphQL over a real socket', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.tokens.alice}` },
      body: JSON.stringify({ query: '{ wallet(id: "wallet-a1") { name } }' }),
    });
    expect(await response.json()).toEqual({ data: { wallet: { name: 'Alice main' } } });
  });
});

describe('graphql-ws on the same path', () => {
  it('streams balanceChanged: current balances, then live changes; leaving releases the live subscription', async () => {
    const iterator = client(h.tokens.alice).iterate<GraphQLResponse['data']>({
      query: 'subscription { balanceChanged(walletId: "wallet-a1", asset: "BTC") { asset total version } }',
    });
    expect((await nextWithin(iterator, 'current BTC')).value).toEqual({ data: { balanceChanged: { asset: 'BTC', total: '1.5', version: 4 } } });
    await until(() => h.app.openSubscriptions('balance:wallet-a1') === 1, 'the live subscription is open');
    await h.app.push(
      { kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '1.5', version: 4 }) },
      { kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '0.5', version: 7 }) },
    );
    expect((await nextWithin(iterator, 'live BTC v7')).value).toEqual({ data: { balanceChanged: { asset: 'BTC', total: '0.5', version: 7 } } });
    await iterator.return?.();
    await until(() => h.app.openSubscriptions() === 0, 'the live subscription is released');
  });

  it('runs queries and mutations with the token from connectionParams', async () => {
    const iterator = client(h.tokens.alice).iterate({
      query: 'mutation { createWallet(input: { name: "From WS" }) { state } }',
    });
    expect((await nextWithin(iterator, 'the mutation result')).value).toEqual({ data: { createWallet: { state: 'ACCEPTED' } } });
    expect(h.app.submitted[0]?.principal).toEqual({ sub: 'alice', admin: false });
  });

  it('applies the same authorization: no token is UNAUTHENTICATED (assets stay public), a stranger gets NOT_FOUND', async () => {
    const anonymous = client();
    const assets = anonymous.iterate({ query: '{ assets { code } }' });
    expect((await nextWithin(assets, 'assets')).value).toMatchObject({ data: { assets: [{ code: 'BTC' }, { code: 'ETH' }] } });

    const refused = anonymous.iterate({ query: 'subscription { walletActivity(walletId: "wallet-a1") { id } }' });
    expect(codes((await nextWithin(refused, 'the refusal')).value as GraphQLResponse)).toEqual(['UNAUTHENTICATED']);

    const stranger = client(h.tokens.bob).iterate({ query: 'subscription { walletActivity(walletId: "wallet-a1") { id } }' });
    expect(codes((await nextWithin(stranger, 'the refusal')).value as GraphQLResponse)).toEqual(['NOT_FOUND']);
  });

  it('applies the envelop plugins (armor limits) over WebSocket too', async () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `a${i}: assets { code }`).join(' ');
    const iterator = client(h.tokens.alice).iterate({ query: `{ ${aliases} }` });
    await expect(nextWithin(iterator, 'the rejection')).rejects.toSatisfy((errors: unknown) =>
      JSON.stringify(errors).includes('Aliases limit'),
    );
  });

  it('closes the connection with 4403 when the token is bad', async () => {
    const closed = new Promise<{ code: number }>((resolve) => {
      const c = client('not-a-valid-token', { closed: (event) => resolve(event as { code: number }) });
      void c.iterate({ query: '{ assets { code } }' }).next().catch(() => undefined);
    });
    expect((await closed).code).toBe(4403);
  });
});
