/**
 * Live updates from `jetledger start` as clients receive them: graphql-ws (with `ws`) and SSE.
 * The promise under test: the current state first, then every change in order, each visible to a
 * query by the time its notification arrives.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BalanceChangedDocument,
  type BalanceChangedSubscription,
  CommandDecidedDocument,
  CreateWalletDocument,
  DepositDocument,
  WalletBalancesDocument,
} from './generated/graphql.js';
import { gqlOk } from './support/graphql-http.js';
import { record, wsClient } from './support/graphql-ws.js';
import { btc, sats } from './support/money.js';
import { sseSubscribe } from './support/sse.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

type Balance = BalanceChangedSubscription['balanceChanged'];

let stack: E2EStack;
let url: string;
let alice: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startE2EStack();
  url = stack.api.graphqlUrl;
  alice = await stack.token('alice');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.stop();
});

function client(token?: string, on?: Parameters<typeof wsClient>[2]): Client {
  const c = wsClient(stack.wsUrl, token, on);
  clients.push(c);
  return c;
}

/** A wallet with a first BTC deposit already projected: its current balance is { total, version 2 }. */
async function fundedWallet(name: string, total: string): Promise<string> {
  const { createWallet } = await gqlOk(url, CreateWalletDocument, { name, consistency: 'PROJECTED' }, alice);
  const walletId = createWallet.walletId as string;
  const { deposit } = await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: total, consistency: 'PROJECTED' }, alice);
  expect(deposit.state).toBe('ACCEPTED');
  return walletId;
}

async function queriedBalance(walletId: string): Promise<Balance | undefined> {
  const { wallet } = await gqlOk(url, WalletBalancesDocument, { walletId }, alice);
  return wallet?.balances.find((b) => b.asset === 'BTC');
}

/** The stream after its first (current) balance: in order, one version at a time, by exactly each amount. */
function expectEveryDeposit(stream: Balance[], initial: string, amounts: string[]): void {
  expect(stream[0]).toMatchObject({ asset: 'BTC', total: initial, version: 2 });
  expect(stream).toHaveLength(amounts.length + 1);
  let total = sats(initial);
  amounts.forEach((amount, i) => {
    total += sats(amount);
    expect(stream[i + 1], `deposit ${i + 1} of ${amounts.length}`).toMatchObject({ total: btc(total), reserved: '0', available: btc(total), version: i + 3 });
  });
}

describe('balanceChanged over graphql-ws', () => {
  it('emits the current balance, then every one of 30 deposits in order; a query after each is at least as new', async () => {
    const walletId = await fundedWallet('Alice live', '1');
    const amounts = Array.from({ length: 30 }, (_, i) => btc(BigInt(i + 1) * 100_000n));
    // Started the moment each notification arrives, while later deposits are still being made.
    const followUps: Array<Promise<{ notified: Balance; queried: Balance | undefined }>> = [];
    const stream = record(client(alice), BalanceChangedDocument, { walletId, asset: 'BTC' }, ({ balanceChanged }) => {
      followUps.push(queriedBalance(walletId).then((queried) => ({ notified: balanceChanged, queried })));
    });
    await stream.atLeast(1, 'the current balance');
    expect(stream.events[0]?.balanceChanged).toMatchObject({ walletId, asset: 'BTC', total: '1', version: 2 });

    for (const amount of amounts) {
      const { deposit } = await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount }, alice);
      expect(deposit.state).toBe('ACCEPTED');
    }
    await stream.atLeast(amounts.length + 1, 'every deposit', 20_000);
    expectEveryDeposit(
      stream.events.map((e) => e.balanceChanged),
      '1',
      amounts,
    );

    const checks = await Promise.all(followUps);
    for (const { notified, queried } of checks) {
      expect(queried, `query after version ${notified.version}`).toBeDefined();
      expect(queried?.version).toBeGreaterThanOrEqual(notified.version);
      expect(sats(queried?.total ?? '0')).toBeGreaterThanOrEqual(sats(notified.total));
    }
    // After the last deposit nothing moves any more: what the query saw is exactly the notification.
    const last = checks.at(-1);
    expect(last?.notified.version).toBe(amounts.length + 2);
    expect(last?.queried).toEqual(last?.notified);
    expect(await queriedBalance(walletId)).toEqual(last?.notified);
    stream.stop();
  });

  it("refuses other users (NOT_FOUND, as for an unknown wallet) and anonymous callers (UNAUTHENTICATED), and closes 4403 on a bad token", async () => {
    const walletId = await fundedWallet('Alice private', '0.5');
    const bob = await stack.token('bob');
    const stranger = record(client(bob), BalanceChangedDocument, { walletId, asset: 'BTC' });
    await expect(stranger.atLeast(1, 'a refusal')).rejects.toThrow(/NOT_FOUND/);
    const anonymous = record(client(), BalanceChangedDocument, { walletId, asset: 'BTC' });
    await expect(anonymous.atLeast(1, 'a refusal')).rejects.toThrow(/UNAUTHENTICATED/);

    let closedWith: number | undefined;
    const refused = record(client('not-a-valid-token', { closed: (event) => (closedWith = (event as { code: number }).code) }), BalanceChangedDocument, {
      walletId,
      asset: 'BTC',
    });
    await expect(refused.atLeast(1, 'the close')).rejects.toThrow();
    expect(closedWith).toBe(4403);
    expect(refused.events).toEqual([]);
  });
});

describe('balanceChanged over SSE', () => {
  it('streams the current balance, then each deposit, as text/event-stream', async () => {
    const walletId = await fundedWallet('Alice SSE', '2');
    const sse = await sseSubscribe(url, BalanceChangedDocument, { walletId, asset: 'BTC' }, alice);
    try {
      expect(sse.status).toBe(200);
      expect(sse.contentType).toContain('text/event-stream');
      await sse.atLeast(1, 'the current balance');
      const amounts = ['0.1', '0.02', '0.003', '0.0004'];
      for (const amount of amounts) await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount }, alice);
      await sse.atLeast(amounts.length + 1, 'every deposit');
      expectEveryDeposit(
        sse.events.map((e) => e.balanceChanged),
        '2',
        amounts,
      );
      expect(await queriedBalance(walletId)).toEqual(sse.events.at(-1)?.balanceChanged);
      expect(sse.errors).toEqual([]);
    } finally {
      sse.close();
    }
  });
});

describe('commandStatus over graphql-ws', () => {
  it('shows a queued command until it is decided, then completes', async () => {
    const walletId = await fundedWallet('Alice commands', '1');
    const ws = client(alice);
    const decisions = [
      { amount: '0.25', expected: { state: 'ACCEPTED', code: null } },
      { amount: '0.123456789', expected: { state: 'REJECTED', code: 'INVALID_AMOUNT' } },
    ];
    for (const { amount, expected } of decisions) {
      const { deposit } = await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount, consistency: 'QUEUED' }, alice);
      expect(deposit).toMatchObject({ state: 'QUEUED', walletId });
      const status = record(ws, CommandDecidedDocument, { id: deposit.commandId });
      const events = (await status.untilComplete(`the decision on ${amount}`)).map((e) => e.commandStatus);
      // QUEUED for as long as the processor has not decided (possibly not at all by now), then the decision, then the end.
      expect(events.length).toBeGreaterThanOrEqual(1);
      for (const early of events.slice(0, -1)) expect(early).toMatchObject({ commandId: deposit.commandId, state: 'QUEUED' });
      expect(events.at(-1)).toMatchObject({ commandId: deposit.commandId, walletId, ...expected });
      expect(status.errors).toEqual([]);
    }
  });
});
