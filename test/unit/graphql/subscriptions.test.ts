import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { balanceView, entryView, transferView } from '../../support/fake-ledger-app.js';
import { codes, createHarness, nextWithin, until, type Harness } from './harness.js';

let h: Harness;
const open: (() => void)[] = [];
beforeEach(async () => {
  h = await createHarness();
});
afterEach(() => {
  for (const close of open.splice(0)) close();
});

const BALANCE = 'subscription($walletId: ID!, $asset: String) { balanceChanged(walletId: $walletId, asset: $asset) { asset total version } }';

async function subscribe(query: string, variables: Record<string, unknown>, token: string | undefined) {
  const stream = await h.sse(query, variables, token);
  open.push(stream.close);
  expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
  const next = async (what: string) => {
    const item = await nextWithin(stream.events, what);
    return item.done ? { event: 'end', data: null } : item.value;
  };
  return { ...stream, next };
}

describe('balanceChanged over SSE', () => {
  it('emits the current balances, then live changes, without duplicates or stale versions, and cleans up on leave', async () => {
    const s = await subscribe(BALANCE, { walletId: 'wallet-a1' }, h.tokens.alice);
    expect((await s.next('current BTC')).data?.data).toEqual({ balanceChanged: { asset: 'BTC', total: '1.5', version: 4 } });
    expect((await s.next('current ETH')).data?.data).toEqual({ balanceChanged: { asset: 'ETH', total: '10', version: 3 } });
    expect(h.app.openSubscriptions('balance:wallet-a1')).toBe(1);

    await h.app.push(
      { kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '1.5', version: 4 }) },
      { kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'ETH', total: '9', version: 2 }) },
      { kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '2.5', version: 5 }) },
      { kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '2.5', version: 5 }) },
      { kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'ETH', total: '11', version: 6 }) },
    );
    expect((await s.next('live BTC v5')).data?.data).toEqual({ balanceChanged: { asset: 'BTC', total: '2.5', version: 5 } });
    expect((await s.next('live ETH v6')).data?.data).toEqual({ balanceChanged: { asset: 'ETH', total: '11', version: 6 } });

    s.close();
    await until(() => h.app.openSubscriptions() === 0, 'the live subscription is released');
  });

  it('loses nothing and repeats nothing when a change lands between subscribing and reading', async () => {
    const read = h.app.read.balancesByWalletIds.bind(h.app.read);
    const btcV5 = balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '3', version: 5 });
    let raced = false;
    h.app.read.balancesByWalletIds = async (ids) => {
      // The projector writes v5 and notifies while the subscription is reading: the read sees it too.
      if (!raced) {
        raced = true;
        h.app.data.balances[0] = btcV5;
        await h.app.push({ kind: 'balance', balance: btcV5 });
      }
      return read(ids);
    };
    const s = await subscribe(BALANCE, { walletId: 'wallet-a1', asset: 'BTC' }, h.tokens.alice);
    expect((await s.next('current BTC')).data?.data).toEqual({ balanceChanged: { asset: 'BTC', total: '3', version: 5 } });
    await h.app.push({ kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '4', version: 6 }) });
    expect((await s.next('BTC v6, not v5 again')).data?.data).toEqual({ balanceChanged: { asset: 'BTC', total: '4', version: 6 } });
  });

  it('keeps a change that the read did not see yet', async () => {
    const read = h.app.read.balancesByWalletIds.bind(h.app.read);
    let raced = false;
    h.app.read.balancesByWalletIds = async (ids) => {
      const before = await read(ids);
      if (!raced) {
        raced = true;
        await h.app.push({ kind: 'balance', balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: '3', version: 5 }) });
      }
      return before;
    };
    const s = await subscribe(BALANCE, { walletId: 'wallet-a1', asset: 'BTC' }, h.tokens.alice);
    expect((await s.next('stale read v4')).data?.data).toEqual({ balanceChanged: { asset: 'BTC', total: '1.5', version: 4 } });
    expect((await s.next('v5 from the live stream')).data?.data).toEqual({ balanceChanged: { asset: 'BTC', total: '3', version: 5 } });
  });

  it("refuses an anonymous caller; a stranger's wallet is NOT_FOUND with the same message as an unknown one", async () => {
    const cases: [string | undefined, string, string, string][] = [
      [undefined, 'wallet-a1', 'UNAUTHENTICATED', 'Authentication required: send "Authorization: Bearer <JWT>"'],
      [h.tokens.bob, 'wallet-a1', 'NOT_FOUND', 'wallet wallet-a1 not found'],
      [h.tokens.alice, 'wallet-zz', 'NOT_FOUND', 'wallet wallet-zz not found'],
    ];
    for (const [token, walletId, code, message] of cases) {
      const s = await subscribe(BALANCE, { walletId }, token);
      const first = await s.next(`the ${code} error`);
      expect(codes(first.data!), `${walletId} ${code}`).toEqual([code]);
      expect(first.data?.errors?.[0]?.message).toBe(message);
    }
    expect(h.app.openSubscriptions()).toBe(0);
  });
});

describe('other subscriptions', () => {
  it('transferUpdated: current state, then changes with fresh reads per event, until the transfer ends', async () => {
    const s = await subscribe(
      'subscription { transferUpdated(transferId: "transfer-1") { status from { name } } }',
      {},
      h.tokens.alice,
    );
    expect((await s.next('current')).data?.data).toEqual({ transferUpdated: { status: 'PENDING', from: { name: 'Alice main' } } });

    // A subscription's context outlives its events: a rename must show in the next event.
    h.app.data.wallets[0] = { ...h.app.data.wallets[0]!, name: 'Alice renamed' };
    const base = { id: 'transfer-1', fromWalletId: 'wallet-a1', toWalletId: 'wallet-b1', amount: '0.25' };
    await h.app.push(
      { kind: 'transfer', transfer: transferView({ ...base, status: 'PENDING' }) },
      { kind: 'transfer', transfer: transferView({ ...base, status: 'COMPLETED', completedAt: new Date('2030-01-01T00:09:00Z') }) },
    );
    expect((await s.next('completed')).data?.data).toEqual({ transferUpdated: { status: 'COMPLETED', from: { name: 'Alice renamed' } } });
    expect((await s.next('the end of the stream')).event).toMatch(/complete|end/);
    await until(() => h.app.openSubscriptions() === 0, 'the live subscription is released');
  });

  it('walletActivity: each projected ledger entry', async () => {
    const s = await subscribe('subscription { walletActivity(walletId: "wallet-a1") { id type amount } }', {}, h.tokens.alice);
    // Reading is what starts the stream, as an HTTP client reading the response does.
    const first = s.next('an entry');
    await until(() => h.app.openSubscriptions('entry:wallet-a1') === 1, 'the live subscription is open');
    await h.app.push({ kind: 'entry', entry: entryView({ id: 'entry-9', walletId: 'wallet-a1', seq: 30, type: 'WITHDRAWAL', amount: '0.1' }) });
    expect((await first).data?.data).toEqual({ walletActivity: { id: 'entry-9', type: 'WITHDRAWAL', amount: '0.1' } });
  });

  it('commandStatus: current state, then the decision, then the end', async () => {
    h.app.recordOutcome({ commandId: 'cmd-7', state: 'QUEUED', walletId: 'wallet-a1', at: '2030-01-01T00:00:00Z' });
    const s = await subscribe('subscription { commandStatus(id: "cmd-7") { state code } }', {}, h.tokens.alice);
    expect((await s.next('queued')).data?.data).toEqual({ commandStatus: { state: 'QUEUED', code: null } });
    h.app.recordOutcome({ commandId: 'cmd-7', state: 'REJECTED', code: 'WALLET_CLOSED', walletId: 'wallet-a1', at: '2030-01-01T00:00:01Z' });
    expect((await s.next('decision')).data?.data).toEqual({ commandStatus: { state: 'REJECTED', code: 'WALLET_CLOSED' } });
    expect((await s.next('the end of the stream')).event).toMatch(/complete|end/);
  });
});

describe('commandStatus of a command nobody knows yet', () => {
  it("tells nothing when the outcome turns out to be about someone else's wallet: no event and no end, like an unknown id", async () => {
    const s = await subscribe('subscription { commandStatus(id: "cmd-42") { state } }', {}, h.tokens.alice);
    let settled = false;
    void s.next('nothing').then(() => (settled = true), () => (settled = true));
    await until(() => h.app.openCommandWatches('cmd-42') === 1, 'the command is watched');
    h.app.recordOutcome({ commandId: 'cmd-42', state: 'ACCEPTED', walletId: 'wallet-b1', at: '2030-01-01T00:00:00Z' });
    // It stops listening (so it can never emit), yet the stream stays open until the client leaves.
    await until(() => h.app.openCommandWatches('cmd-42') === 0, 'the watch is released');
    expect(settled).toBe(false);
    s.close();
  });
});

describe('a subscriber that cannot keep up', () => {
  it('is ended with SUBSCRIBER_TOO_SLOW rather than buffered without bound', async () => {
    const s = await subscribe(BALANCE, { walletId: 'wallet-a1', asset: 'BTC' }, h.tokens.alice);
    expect((await s.next('current BTC')).data?.data).toEqual({ balanceChanged: { asset: 'BTC', total: '1.5', version: 4 } });
    // Far more changes than a subscription may hold, all at once while the client reads nothing.
    const burst = Array.from({ length: 1_500 }, (_, i) => ({ kind: 'balance' as const, balance: balanceView({ walletId: 'wallet-a1', asset: 'BTC', total: String(i), version: 5 + i }) }));
    await h.app.push(...burst);
    let last = await s.next('the burst or the error');
    while (last.data?.data) last = await s.next('the error');
    expect(last.data ? codes(last.data) : null).toEqual(['SUBSCRIBER_TOO_SLOW']);
    await until(() => h.app.openSubscriptions() === 0, 'the live subscription is released');
  });
});
