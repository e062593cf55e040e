/**
 * A user's wallet over plain HTTP against `jetledger start` in a child process: create, deposit,
 * withdraw, read back (balances, paged history, time travel), idempotency, refusals, probes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait.js';
import {
  AssetsDocument,
  BalanceAtDocument,
  CreateWalletDocument,
  DepositDocument,
  MyWalletsDocument,
  WalletBalancesDocument,
  WalletTransactionsDocument,
  WithdrawDocument,
  type WalletTransactionsQuery,
} from './generated/graphql.js';
import { codesOf, gql, gqlOk } from './support/graphql-http.js';
import { btc, sats } from './support/money.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

type Entry = NonNullable<WalletTransactionsQuery['wallet']>['transactions']['edges'][number]['node'];

let stack: E2EStack;
let url: string;
let alice: string;
let bob: string;

beforeAll(async () => {
  stack = await startE2EStack();
  url = stack.api.graphqlUrl;
  alice = await stack.token('alice');
  bob = await stack.token('bob');
});

afterAll(async () => {
  await stack?.stop();
});

async function createWallet(token: string, name: string): Promise<string> {
  const { createWallet } = await gqlOk(url, CreateWalletDocument, { name, consistency: 'PROJECTED' }, token);
  expect(createWallet).toMatchObject({ state: 'ACCEPTED', code: null });
  return createWallet.walletId as string;
}

async function btcBalance(walletId: string, token = alice) {
  const { wallet } = await gqlOk(url, WalletBalancesDocument, { walletId }, token);
  return wallet?.balances.find((b) => b.asset === 'BTC') ?? null;
}

/** Every entry of the wallet, following `after` cursors page by page. */
async function allEntries(walletId: string, first: number): Promise<{ entries: Entry[]; pages: number }> {
  const entries: Entry[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const data: WalletTransactionsQuery = await gqlOk(url, WalletTransactionsDocument, { walletId, first, after }, alice);
    const connection = data.wallet?.transactions;
    if (!connection) throw new Error(`wallet ${walletId} not visible`);
    pages++;
    expect(connection.edges.length).toBeLessThanOrEqual(first);
    entries.push(...connection.edges.map((e) => e.node));
    if (!connection.pageInfo.hasNextPage) return { entries, pages };
    expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor);
    after = connection.pageInfo.endCursor;
    if (pages > 50) throw new Error('pagination does not end');
  }
}

describe('jetledger start, over HTTP', () => {
  it('prints the real URL for PORT=0 and answers /healthz and /readyz', async () => {
    expect(stack.api.graphqlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(stack.api.output()).toContain(`GraphiQL at ${stack.api.graphqlUrl}`);
    const health = await fetch(`${stack.api.baseUrl}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
    const ready = await fetch(`${stack.api.baseUrl}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { ok: true, checks: { nats: true, mongo: true, streams: true } }]);
  });

  it('lists the asset catalog without a token', async () => {
    // The processor registers the default catalog at its first start; the projector then shows it.
    const assets = await waitUntil(async () => {
      const result = await gql(url, AssetsDocument, {});
      expect(result.errors).toBeUndefined();
      expect(result.data?.assets.map((a) => a.code).sort()).toEqual(['BTC', 'ETH', 'USD', 'USDT']);
      return result.data?.assets ?? [];
    }, { message: 'the default catalog' });
    expect(assets.find((a) => a.code === 'BTC')).toEqual({ code: 'BTC', decimals: 8, networks: ['bitcoin'], minAmount: '0.00001', maxAmount: '1000' });
  });

  it('refuses everything else without a token: UNAUTHENTICATED in an HTTP 200 answer', async () => {
    const query = await gql(url, MyWalletsDocument, {});
    expect([query.status, codesOf(query), query.data]).toEqual([200, ['UNAUTHENTICATED'], null]);
    const mutation = await gql(url, DepositDocument, { walletId: 'any', asset: 'BTC', amount: '1' });
    expect([mutation.status, codesOf(mutation)]).toEqual([200, ['UNAUTHENTICATED']]);
    const badToken = await gql(url, MyWalletsDocument, {}, 'not-a-jwt');
    expect([badToken.status, codesOf(badToken)]).toEqual([200, ['UNAUTHENTICATED']]);
  });

  it('creates a wallet, deposits, withdraws, and reads the balances back', async () => {
    const walletId = await createWallet(alice, 'Alice savings');
    const first = await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '1.5' }, alice);
    expect(first.deposit).toMatchObject({ state: 'ACCEPTED', walletId, code: null });
    await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '0.00001' }, alice);
    const withdrawal = await gqlOk(url, WithdrawDocument, { walletId, asset: 'BTC', amount: '0.5', consistency: 'PROJECTED' }, alice);
    expect(withdrawal.withdraw).toMatchObject({ state: 'ACCEPTED', walletId });

    const { wallet } = await gqlOk(url, WalletBalancesDocument, { walletId }, alice);
    expect(wallet).toMatchObject({ id: walletId, name: 'Alice savings', status: 'ACTIVE', version: 4 });
    expect(wallet?.balances).toEqual([
      { walletId, asset: 'BTC', total: '1.00001', reserved: '0', available: '1.00001', version: 4, updatedAt: expect.any(String) },
    ]);

    const tooMuch = await gqlOk(url, WithdrawDocument, { walletId, asset: 'BTC', amount: '1.00002' }, alice);
    expect(tooMuch.withdraw).toMatchObject({ state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' });
    const mine = await gqlOk(url, MyWalletsDocument, { first: 100 }, alice);
    expect(mine.wallets.edges.map((e) => e.node.id)).toContain(walletId);
    const bobs = await gqlOk(url, MyWalletsDocument, { first: 100 }, bob);
    expect(bobs.wallets.edges.map((e) => e.node.id)).not.toContain(walletId);
  });

  it('counts decided commands and shows each projection shard in /metrics', async () => {
    const walletId = await createWallet(alice, 'Alice metrics');
    await gqlOk(url, DepositDocument, { walletId, asset: 'USD', amount: '1' }, alice);
    const response = await fetch(`${stack.api.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const accepted = /^jetledger_commands_total\{type="Deposit",state="ACCEPTED"\} (\d+)$/m.exec(text);
    expect(Number(accepted?.[1])).toBeGreaterThanOrEqual(1);
    // npm start runs one projector: it holds all 16 wallet shards and the asset shard.
    expect(text).toMatch(/^jetledger_projection_shards_owned 17$/m);
    expect(text).toMatch(/^jetledger_projection_checkpoint\{shard="assets"\} [1-9]\d*$/m);
    expect(text).toMatch(/^jetledger_projection_lag_events\{shard="0"\} \d+$/m);
  });

  it('pages through the history with `after` cursors, newest first, every entry once', async () => {
    const walletId = await createWallet(alice, 'Alice history');
    // BTC's minimum is 0.00001.
    const amounts = ['0.1', '0.02', '0.003', '0.0004', '0.00005', '0.00006', '0.00007'];
    for (const amount of amounts) await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount }, alice);
    await gqlOk(url, WithdrawDocument, { walletId, asset: 'BTC', amount: '0.05', consistency: 'PROJECTED' }, alice);

    const { entries, pages } = await allEntries(walletId, 3);
    expect(pages).toBe(3);
    expect(entries.map((e) => [e.type, e.amount])).toEqual([['WITHDRAWAL', '0.05'], ...amounts.map((a) => ['DEPOSIT', a]).reverse()]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    // Oldest to newest, every entry's totalAfter is the previous one moved by its amount.
    let total = 0n;
    for (const entry of [...entries].reverse()) {
      total += entry.type === 'DEPOSIT' ? sats(entry.amount) : -sats(entry.amount);
      expect(entry.totalAfter).toBe(btc(total));
    }
    expect((await btcBalance(walletId))?.total).toBe(btc(total));
    const bad = await gql(url, WalletTransactionsDocument, { walletId, first: 3, after: 'made-up' }, alice);
    expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
  });

  it('travels in time: balanceAt between two deposits is exactly the first', async () => {
    const walletId = await createWallet(alice, 'Alice time travel');
    await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '2' }, alice);
    await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '0.3', consistency: 'PROJECTED' }, alice);
    const { entries } = await allEntries(walletId, 10);
    const [second, first] = entries;
    if (!first || !second) throw new Error(`expected two entries, got ${JSON.stringify(entries)}`);
    const t1 = Date.parse(first.occurredAt);
    const t2 = Date.parse(second.occurredAt);
    expect(t2).toBeGreaterThan(t1 + 1);

    const at = async (ms: number) => (await gqlOk(url, BalanceAtDocument, { walletId, asset: 'BTC', at: new Date(ms).toISOString() }, alice)).wallet?.balanceAt;
    expect(await at(t1 - 1)).toBeNull();
    expect(await at(t1)).toMatchObject({ total: '2', reserved: '0', available: '2', version: 2 });
    expect(await at(Math.floor((t1 + t2) / 2))).toMatchObject({ total: '2', reserved: '0', available: '2', version: 2 });
    expect(await at(t2 - 1)).toMatchObject({ total: '2', version: 2 });
    expect(await at(t2)).toMatchObject({ total: '2.3', version: 3 });
    expect(await at(Date.now() + 60_000)).toMatchObject({ total: '2.3', version: 3 });
  });

  it('answers a repeated idempotencyKey with the same commandId and applies it once', async () => {
    const walletId = await createWallet(alice, 'Alice idempotent');
    const input = { walletId, asset: 'BTC', amount: '0.7', idempotencyKey: 'e2e-deposit-1', consistency: 'PROJECTED' as const };
    const once = await gqlOk(url, DepositDocument, input, alice);
    const again = await gqlOk(url, DepositDocument, input, alice);
    expect(once.deposit).toMatchObject({ state: 'ACCEPTED', code: null });
    expect(again.deposit).toEqual(once.deposit);
    // A later command proves the repeat had its chance to land: anything it did would be projected by now.
    await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '0.01', consistency: 'PROJECTED' }, alice);

    const { entries } = await allEntries(walletId, 10);
    expect(entries.map((e) => [e.type, e.amount])).toEqual([
      ['DEPOSIT', '0.01'],
      ['DEPOSIT', '0.7'],
    ]);
    expect((await btcBalance(walletId))?.total).toBe('0.71');

    const reused = await gql(url, DepositDocument, { ...input, amount: '0.8' }, alice);
    expect(codesOf(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // The key belongs to its caller: bob's same key is bob's own command (refused: not his wallet,
    // which answers exactly like a wallet that does not exist).
    const bobsKey = await gqlOk(url, DepositDocument, input, bob);
    expect(bobsKey.deposit).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });
  });

  it('refuses bad input: a float amount, too many decimals, a wallet of someone else', async () => {
    const walletId = await createWallet(alice, 'Alice guarded');
    await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '1', consistency: 'PROJECTED' }, alice);

    const float = await gql(url, DepositDocument, { walletId, asset: 'BTC', amount: 1.5 as unknown as string }, alice);
    expect(codesOf(float)).toEqual(['BAD_USER_INPUT']);
    expect(float.errors?.[0]?.message).toContain('Decimal must be a plain decimal string');
    const floatLiteral = await gql<unknown, Record<string, never>>(url, `mutation { deposit(input: { walletId: "${walletId}", asset: "BTC", amount: 1.5 }) { state } }`, {}, alice);
    expect(codesOf(floatLiteral)).toEqual(['BAD_USER_INPUT']);

    const precise = await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '0.000000001' }, alice);
    expect(precise.deposit).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT', walletId });
    expect(precise.deposit.message).toMatch(/decimal/);
    const belowMinimum = await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '0.000009' }, alice);
    expect(belowMinimum.deposit).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT' });
    const negative = await gql(url, WithdrawDocument, { walletId, asset: 'BTC', amount: '-1' }, alice);
    expect(codesOf(negative)).toEqual(['BAD_USER_INPUT']);

    // Someone else's wallet answers exactly like one that does not exist (no existence oracle).
    const stranger = await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '5' }, bob);
    const nowhere = await gqlOk(url, DepositDocument, { walletId: 'no-such-wallet', asset: 'BTC', amount: '5' }, bob);
    expect(stranger.deposit).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });
    expect(stranger.deposit.message?.replace(walletId, 'ID')).toBe(nowhere.deposit.message?.replace('no-such-wallet', 'ID'));
    const peek = await gql(url, WalletBalancesDocument, { walletId }, bob);
    expect([codesOf(peek), peek.data]).toEqual([[], { wallet: null }]);
    const theft = await gqlOk(url, WithdrawDocument, { walletId, asset: 'BTC', amount: '1' }, bob);
    expect(theft.withdraw).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });

    // A closing PROJECTED command: had any refused one slipped through, it would show by now.
    await gqlOk(url, DepositDocument, { walletId, asset: 'BTC', amount: '0.5', consistency: 'PROJECTED' }, alice);
    const { entries } = await allEntries(walletId, 10);
    expect(entries.map((e) => e.amount)).toEqual(['0.5', '1']);
    expect(await btcBalance(walletId)).toMatchObject({ total: '1.5', version: 3 });
  });
});
