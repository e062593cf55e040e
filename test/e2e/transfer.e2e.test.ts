/**
 * Transfers between two users' wallets through `jetledger start`, watched as clients watch them
 * over graphql-ws: a scheduled transfer runs when due, an immediate one completes at once, and
 * only the source's owner may cancel.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BalanceChangedDocument,
  CancelTransferDocument,
  CreateWalletDocument,
  DepositDocument,
  TransferByIdDocument,
  TransferDocument,
  TransferUpdatedDocument,
  WalletBalancesDocument,
} from './generated/graphql.js';
import { codesOf, gql, gqlOk } from './support/graphql-http.js';
import { record, wsClient } from './support/graphql-ws.js';
import { type E2EStack, startE2EStack } from './support/stack.js';

let stack: E2EStack;
let url: string;
let alice: string;
let bob: string;
let walletA: string;
let walletB: string;
const clients: Client[] = [];

function client(token: string): Client {
  const c = wsClient(stack.wsUrl, token);
  clients.push(c);
  return c;
}

async function createWallet(token: string, name: string): Promise<string> {
  const { createWallet } = await gqlOk(url, CreateWalletDocument, { name, consistency: 'PROJECTED' }, token);
  expect(createWallet.state).toBe('ACCEPTED');
  return createWallet.walletId as string;
}

async function btcOf(walletId: string, token: string) {
  const { wallet } = await gqlOk(url, WalletBalancesDocument, { walletId }, token);
  const balance = wallet?.balances.find((b) => b.asset === 'BTC');
  return balance && { total: balance.total, reserved: balance.reserved, available: balance.available };
}

const money = (b: { total: string; reserved: string; available: string }) => ({ total: b.total, reserved: b.reserved, available: b.available });

beforeAll(async () => {
  stack = await startE2EStack();
  url = stack.api.graphqlUrl;
  alice = await stack.token('alice');
  bob = await stack.token('bob');
  walletA = await createWallet(alice, 'Alice A');
  walletB = await createWallet(bob, 'Bob B');
  // B gets a balance of its own, so its subscription shows a first event once it is live.
  await gqlOk(url, DepositDocument, { walletId: walletA, asset: 'BTC', amount: '10', consistency: 'PROJECTED' }, alice);
  await gqlOk(url, DepositDocument, { walletId: walletB, asset: 'BTC', amount: '1', consistency: 'PROJECTED' }, bob);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.stop();
});

describe('transfers over graphql-ws', () => {
  it('runs a scheduled transfer when due: SCHEDULED, PENDING, COMPLETED, with both balances following', async () => {
    const aliceWs = client(alice);
    const bobWs = client(bob);
    const streamA = record(aliceWs, BalanceChangedDocument, { walletId: walletA, asset: 'BTC' });
    const streamB = record(bobWs, BalanceChangedDocument, { walletId: walletB, asset: 'BTC' });
    await streamA.atLeast(1, "A's current balance");
    await streamB.atLeast(1, "B's current balance");
    expect(money(streamA.events[0]!.balanceChanged)).toEqual({ total: '10', reserved: '0', available: '10' });
    expect(money(streamB.events[0]!.balanceChanged)).toEqual({ total: '1', reserved: '0', available: '1' });

    const executeAt = new Date(Date.now() + 2_000).toISOString();
    const { transfer } = await gqlOk(
      url,
      TransferDocument,
      { input: { fromWalletId: walletA, toWalletId: walletB, asset: 'BTC', amount: '3', executeAt }, consistency: 'PROJECTED' },
      alice,
    );
    expect(transfer).toMatchObject({ state: 'ACCEPTED', walletId: walletA, code: null });
    const transferId = transfer.transferId as string;

    const updates = record(aliceWs, TransferUpdatedDocument, { transferId });
    const bobsView = record(bobWs, TransferUpdatedDocument, { transferId });
    const seen = (await updates.untilComplete('the transfer to end', 15_000)).map((e) => e.transferUpdated);
    expect(seen.map((t) => t.status)).toEqual(['SCHEDULED', 'PENDING', 'COMPLETED']);
    expect(seen[0]).toMatchObject({ id: transferId, fromWalletId: walletA, toWalletId: walletB, asset: 'BTC', amount: '3', executeAt, completedAt: null });
    const completed = seen[2]!;
    expect(Date.parse(completed.completedAt as string)).toBeGreaterThanOrEqual(Date.parse(executeAt));
    expect((await bobsView.untilComplete("bob's view of the transfer")).map((e) => e.transferUpdated.status)).toEqual(['SCHEDULED', 'PENDING', 'COMPLETED']);

    // A: the reservation, then the debit that consumes it. B: the credit.
    const a = (await streamA.atLeast(3, "A's changes")).map((e) => e.balanceChanged);
    expect(a.map(money)).toEqual([
      { total: '10', reserved: '0', available: '10' },
      { total: '10', reserved: '3', available: '7' },
      { total: '7', reserved: '0', available: '7' },
    ]);
    expect(a.map((b) => b.version)).toEqual([a[0]!.version, a[0]!.version + 1, a[0]!.version + 2]);
    const b = (await streamB.atLeast(2, "B's credit")).map((e) => e.balanceChanged);
    expect(b.map(money)).toEqual([
      { total: '1', reserved: '0', available: '1' },
      { total: '4', reserved: '0', available: '4' },
    ]);
    expect(await btcOf(walletA, alice)).toEqual({ total: '7', reserved: '0', available: '7' });
    expect(await btcOf(walletB, bob)).toEqual({ total: '4', reserved: '0', available: '4' });
    // The debit and the completion may not come earlier than asked.
    expect(Date.parse(a[2]!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(executeAt));
    streamA.stop();
    streamB.stop();
  });

  it('completes an immediate transfer with both balances right', async () => {
    const before = { a: await btcOf(walletA, alice), b: await btcOf(walletB, bob) };
    expect(before).toEqual({ a: { total: '7', reserved: '0', available: '7' }, b: { total: '4', reserved: '0', available: '4' } });
    const { transfer } = await gqlOk(url, TransferDocument, { input: { fromWalletId: walletA, toWalletId: walletB, asset: 'BTC', amount: '0.5' } }, alice);
    expect(transfer).toMatchObject({ state: 'ACCEPTED', code: null });
    const transferId = transfer.transferId as string;

    const updates = record(client(alice), TransferUpdatedDocument, { transferId });
    const seen = (await updates.untilComplete('the immediate transfer to end')).map((e) => e.transferUpdated);
    expect(seen.at(-1)).toMatchObject({ id: transferId, status: 'COMPLETED', executeAt: null, amount: '0.5', failureReason: null });
    expect(await btcOf(walletA, alice)).toEqual({ total: '6.5', reserved: '0', available: '6.5' });
    expect(await btcOf(walletB, bob)).toEqual({ total: '4.5', reserved: '0', available: '4.5' });
    const { transfer: shown } = await gqlOk(url, TransferByIdDocument, { id: transferId }, bob);
    expect(shown).toMatchObject({ id: transferId, status: 'COMPLETED', fromWalletId: walletA, toWalletId: walletB });
  });

  it("lets the destination's owner see a scheduled transfer but not cancel it; the source's owner can", async () => {
    const executeAt = new Date(Date.now() + 3_600_000).toISOString();
    const { transfer } = await gqlOk(
      url,
      TransferDocument,
      { input: { fromWalletId: walletA, toWalletId: walletB, asset: 'BTC', amount: '1', executeAt }, consistency: 'PROJECTED' },
      alice,
    );
    const transferId = transfer.transferId as string;
    expect(await btcOf(walletA, alice)).toEqual({ total: '6.5', reserved: '1', available: '5.5' });

    const { transfer: bobSees } = await gqlOk(url, TransferByIdDocument, { id: transferId }, bob);
    expect(bobSees).toMatchObject({ id: transferId, status: 'SCHEDULED', executeAt });
    const bobCancels = await gql(url, CancelTransferDocument, { transferId }, bob);
    // bob sees the transfer but does not own its source: refused like any wallet that is not his.
    expect(bobCancels.data?.cancelTransfer).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });
    const carol = await stack.token('carol');
    const carolPeeks = await gql(url, TransferByIdDocument, { id: transferId }, carol);
    expect([codesOf(carolPeeks), carolPeeks.data]).toEqual([[], { transfer: null }]);

    const updates = record(client(alice), TransferUpdatedDocument, { transferId });
    await updates.atLeast(1, 'the scheduled transfer');
    const { cancelTransfer } = await gqlOk(url, CancelTransferDocument, { transferId }, alice);
    expect(cancelTransfer).toMatchObject({ state: 'ACCEPTED', code: null });
    const seen = (await updates.untilComplete('the cancellation')).map((e) => e.transferUpdated.status);
    expect(seen).toEqual(['SCHEDULED', 'CANCELLED']);
    expect(await btcOf(walletA, alice)).toEqual({ total: '6.5', reserved: '0', available: '6.5' });
    expect(await btcOf(walletB, bob)).toEqual({ total: '4.5', reserved: '0', available: '4.5' });
  });
});
