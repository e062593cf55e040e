/**
 * A subscription ends when its token expires: SSE with a last TOKEN_EXPIRED result, graphql-ws by
 * closing the connection with 4403 (which graphql-ws clients retry, asking connectionParams again).
 */
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../../src/infra/auth/jwt.js';
import { atTime } from '../../../src/graphql/token-expiry.js';
import { balanceView } from '../../support/fake-ledger-app.js';
import { waitFor } from '../../support/wait.js';
import { codes, createHarness, nextWithin, SECRET, serveHarness, until, type GraphQLResponse, type Harness } from './harness.js';

let h: Harness;
let served: Awaited<ReturnType<typeof serveHarness>>;
beforeAll(async () => {
  h = await createHarness();
  served = await serveHarness(h);
});
afterAll(() => served.server.close());
afterEach(() => vi.useRealTimers());

const BALANCE = 'subscription { balanceChanged(walletId: "wallet-a1", asset: "BTC") { total version } }';
// exp has whole seconds: a 2 s token expires 1 to 2 s from now.
const shortLived = () => signToken({ secret: SECRET, sub: 'alice', admin: false, ttl: 2 });

describe('atTime', () => {
  it('waits past the 24.8-day limit of setTimeout instead of firing at once', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    atTime(Date.now() + 30 * 86_400_000, fired);
    vi.advanceTimersByTime(29 * 86_400_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(86_400_000);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('can be cancelled', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    atTime(Date.now() + 1_000, fired)();
    vi.advanceTimersByTime(2_000);
    expect(fired).not.toHaveBeenCalled();
  });
});

describe('over SSE', () => {
  it('sends TOKEN_EXPIRED when the token expires, then ends and releases the live subscription', async () => {
    const stream = await h.sse(BALANCE, {}, await shortLived());
    expect((await nextWithin(stream.events, 'the current balance')).value).toMatchObject({ event: 'next', data: { data: { balanceChanged: { version: 4 } } } });
    const last = await nextWithin(stream.events, 'the expiry', 5_000);
    expect(codes(last.value!.data as GraphQLResponse)).toEqual(['TOKEN_EXPIRED']);
    expect((await nextWithin(stream.events, 'the end', 2_000)).value?.event ?? 'end').toMatch(/complete|end/);
    await until(() => h.app.openSubscriptions() === 0, 'the live subscription is released');
  });
});

describe('over graphql-ws', () => {
  it('closes the connection with 4403 when the token expires, ending its subscriptions', async () => {
    let closedWith: { code: number; reason: string } | undefined;
    const client = createClient({
      url: served.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${await shortLived()}` },
      on: { closed: (event) => (closedWith = event as { code: number; reason: string }) },
    });
    try {
      const iterator = client.iterate({ query: BALANCE });
      expect((await nextWithin(iterator, 'the current balance')).value).toMatchObject({ data: { balanceChanged: { version: 4 } } });
      await expect(nextWithin(iterator, 'the close', 5_000)).rejects.toMatchObject({ code: 4403 });
      expect(closedWith).toMatchObject({ code: 4403, reason: 'Token expired' });
      await until(() => h.app.openSubscriptions() === 0, 'the live subscription is released');
    } finally {
      await client.dispose();
    }
  });

  it('lets a client with connectionParams as a function resume with a fresh token', async () => {
    let connects = 0;
    const client = createClient({
      url: served.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 3,
      retryWait: async () => undefined,
      // Called on every (re)connection: the first token is about to expire, the next ones are fresh.
      connectionParams: async () => {
        connects += 1;
        const token = connects === 1 ? await shortLived() : h.tokens.alice;
        return { authorization: `Bearer ${token}` };
      },
    });
    try {
      const iterator = client.iterate({ query: BALANCE });
      expect((await nextWithin(iterator, 'the current balance')).value).toMatchObject({ data: { balanceChanged: { version: 4 } } });
      // After the expiry the client reconnects and subscribes again: the current balance comes once more.
      expect((await nextWithin(iterator, 'the balance after reconnecting', 5_000)).value).toMatchObject({ data: { balanceChanged: { version: 4 } } });
      expect(connects).toBe(2);
      await waitFor(() => h.app.openSubscriptions('balance:wallet-a1') === 1, { message: 'one live subscription again' });
      await h.app.push({ kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '9', version: 9 }) });
      expect((await nextWithin(iterator, 'a live change on the new connection')).value).toMatchObject({ data: { balanceChanged: { total: '9', version: 9 } } });
      await iterator.return?.();
    } finally {
      await client.dispose();
    }
  });
});
