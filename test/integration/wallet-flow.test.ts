import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyKeyReusedError } from '../../src/app/ledger-app.js';
import { type TestStack, admin, startTestStack, user } from '../support/stack.js';

const alice = user('alice');
const bob = user('bob');

describe('wallets, deposits and withdrawals through the processor and projector', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  const createWallet = async (name: string, principal = alice) => {
    const outcome = await stack.app.submit({ principal, command: { type: 'CreateWallet', data: { name } }, consistency: 'PROJECTED' });
    expect(outcome.state).toBe('ACCEPTED');
    return outcome.walletId as string;
  };

  it('creates a wallet, deposits, withdraws and shows it in the read models', async () => {
    const walletId = await createWallet('Main');
    const deposit = await stack.app.submit({
      principal: alice,
      command: { type: 'Deposit', data: { walletId, asset: 'BTC', amount: '1.5' } },
      consistency: 'PROJECTED',
    });
    expect(deposit).toMatchObject({ state: 'ACCEPTED', walletId });
    const withdraw = await stack.app.submit({
      principal: alice,
      command: { type: 'Withdraw', data: { walletId, asset: 'BTC', amount: '0.25000001' } },
      consistency: 'PROJECTED',
    });
    expect(withdraw.state).toBe('ACCEPTED');

    const [balance] = await stack.app.read.balancesByWalletIds([walletId]);
    expect(balance).toMatchObject({ asset: 'BTC', total: '1.24999999', reserved: '0', available: '1.24999999', version: 3 });
    const entries = await stack.app.read.ledgerEntries({ walletId, first: 10 });
    expect(entries.items.map((e) => [e.type, e.amount, e.totalAfter])).toEqual([
      ['WITHDRAWAL', '0.25000001', '1.24999999'],
      ['DEPOSIT', '1.5', '1.5'],
    ]);
  });

  it('rejects what the rules forbid and changes nothing', async () => {
    const walletId = await createWallet('Strict');
    const attempt = (type: 'Deposit' | 'Withdraw', asset: string, amount: string, principal = alice, network?: string) =>
      stack.app.submit({ principal, command: { type, data: { walletId, asset, amount, network } }, consistency: 'DECIDED' });

    expect(await attempt('Withdraw', 'BTC', '1')).toMatchObject({ state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' });
    expect(await attempt('Deposit', 'DOGE', '1')).toMatchObject({ state: 'REJECTED', code: 'UNKNOWN_ASSET' });
    expect(await attempt('Deposit', 'BTC', '0.123456789')).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT' });
    expect(await attempt('Deposit', 'BTC', '0')).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT' });
    expect(await attempt('Deposit', 'BTC', '-1')).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT' });
    expect(await attempt('Deposit', 'BTC', '1001')).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT' });
    expect(await attempt('Deposit', 'BTC', '1', alice, 'tron')).toMatchObject({ state: 'REJECTED', code: 'UNSUPPORTED_NETWORK' });
    expect(await attempt('Deposit', 'BTC', '1', bob)).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });

    const [wallet] = await stack.app.read.walletsByIds([walletId]);
    expect(wallet?.version).toBe(1);
    expect(await stack.app.read.balancesByWalletIds([walletId])).toEqual([]);
  });

  it('gives a repeated idempotency key the first outcome and one effect', async () => {
    const walletId = await createWallet('Idem');
    const request = {
      principal: alice,
      command: { type: 'Deposit' as const, data: { walletId, asset: 'USD', amount: '10.25' } },
      idempotencyKey: 'dep-1',
      consistency: 'PROJECTED' as const,
    };
    const first = await stack.app.submit(request);
    const again = await Promise.all([stack.app.submit(request), stack.app.submit(request)]);
    expect(again.map((o) => o.commandId)).toEqual([first.commandId, first.commandId]);
    expect(again.every((o) => o.state === 'ACCEPTED')).toBe(true);
    const [balance] = await stack.app.read.balancesByWalletIds([walletId]);
    expect(balance?.total).toBe('10.25');

    await expect(
      stack.app.submit({ ...request, command: { type: 'Deposit', data: { walletId, asset: 'USD', amount: '99' } } }),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    // Another caller's identical key is another command.
    const other = await stack.app.submit({ ...request, principal: bob });
    expect(other.commandId).not.toBe(first.commandId);
  });

  it('closes an empty wallet, and a closed wallet accepts nothing', async () => {
    const walletId = await createWallet('Short-lived');
    const close = await stack.app.submit({ principal: alice, command: { type: 'CloseWallet', data: { walletId } }, consistency: 'PROJECTED' });
    expect(close.state).toBe('ACCEPTED');
    const [wallet] = await stack.app.read.walletsByIds([walletId]);
    expect(wallet?.status).toBe('CLOSED');
    const deposit = await stack.app.submit({
      principal: alice,
      command: { type: 'Deposit', data: { walletId, asset: 'BTC', amount: '1' } },
      consistency: 'DECIDED',
    });
    expect(deposit).toMatchObject({ state: 'REJECTED', code: 'WALLET_CLOSED' });
  });
});

describe('the asset catalog', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('lets an admin register an asset that deposits then accept, and refuses everyone else', async () => {
    const register = (principal = admin, code = 'SOL') =>
      stack.app.submit({
        principal,
        command: { type: 'RegisterAsset', data: { code, decimals: 9, networks: ['solana'], minAmount: '0.001', maxAmount: '5000' } },
        consistency: 'PROJECTED',
      });
    expect(await register(alice, 'XRP')).toMatchObject({ state: 'REJECTED', code: 'FORBIDDEN' });
    expect((await register()).state).toBe('ACCEPTED');
    expect((await stack.app.read.assets()).find((a) => a.code === 'SOL')).toEqual({
      code: 'SOL', decimals: 9, networks: ['solana'], minAmount: '0.001', maxAmount: '5000',
    });
    expect(await register()).toMatchObject({ state: 'REJECTED', code: 'ASSET_EXISTS' });

    const { walletId } = await stack.app.submit({ principal: alice, command: { type: 'CreateWallet', data: { name: 'sol' } }, consistency: 'DECIDED' });
    const deposit = (amount: string) =>
      stack.app.submit({ principal: alice, command: { type: 'Deposit', data: { walletId: walletId as string, asset: 'SOL', amount } }, consistency: 'DECIDED' });
    expect((await deposit('1.000000001')).state).toBe('ACCEPTED');
    expect(await deposit('0.0001')).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT' });
    expect(await deposit('1.0000000001')).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT' });
  });
});
