import { describe, expect, it } from 'vitest';
import { ALICE, BOB, command, created, debited, deposited, NOW, scheduled, system, TRANSFER, WALLET } from './fixtures.js';
import { given } from './spec.js';

describe('CreateWallet', () => {
  const create = (name: string, ownerId = ALICE, metadata = {}) => command('CreateWallet', { ownerId, name }, metadata);

  it('creates the wallet with its name trimmed', () =>
    given([]).when(create('  Main  ')).then({ type: 'WalletCreated', data: { ownerId: ALICE, name: 'Main' } }));

  it('refuses a wallet id that is taken', () => given([created()]).when(create('Second')).thenRejects('WALLET_EXISTS', WALLET));

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['x'.repeat(101), /101 characters, at most 100/],
    ['tab\there', /control characters/],
    ['bell\u0007', /control characters/],
    ['line\nbreak', /control characters/],
  ])('refuses the name %j', (name, message) => given([]).when(create(name)).thenRejects('INVALID_NAME', message));

  it('counts characters, not UTF-16 units', () =>
    given([]).when(create('€'.repeat(50) + '😀'.repeat(50))).then({
      type: 'WalletCreated',
      data: { ownerId: ALICE, name: '€'.repeat(50) + '😀'.repeat(50) },
    }));

  it('refuses to create a wallet for someone else', () => given([]).when(create('Main', BOB)).thenRejects('FORBIDDEN'));

  it('lets an admin create a wallet for someone else', () =>
    given([]).when(create('Main', BOB, { actor: 'root', admin: true })).then({ type: 'WalletCreated', data: { ownerId: BOB, name: 'Main' } }));
});

describe('RenameWallet', () => {
  const rename = (name: string, metadata = {}) => command('RenameWallet', { name }, metadata);

  it('renames', () => given([created()]).when(rename(' Travel ')).then({ type: 'WalletRenamed', data: { name: 'Travel' } }));
  it('applies the name rules', () => given([created()]).when(rename('\u0000')).thenRejects('INVALID_NAME'));
  it('needs the wallet to exist', () => given([]).when(rename('Travel')).thenRejects('WALLET_NOT_FOUND', WALLET));
  it('refuses on a closed wallet', () =>
    given([created(), { type: 'WalletClosed', data: {} }]).when(rename('Travel')).thenRejects('WALLET_CLOSED'));
});

describe('CloseWallet', () => {
  const close = command('CloseWallet', {});

  it('closes an empty wallet', () => given([created()]).when(close).then({ type: 'WalletClosed', data: {} }));

  it('closes a wallet whose balances went back to zero', () =>
    given([
      created(),
      deposited('BTC', '1'),
      { type: 'FundsWithdrawn', data: { asset: 'BTC', amount: '1', network: 'bitcoin', totalAfter: '0', reservedAfter: '0' } },
    ])
      .when(close)
      .then({ type: 'WalletClosed', data: {} }));

  it('refuses while a balance is left', () =>
    given([created(), deposited('BTC', '1.5')]).when(close).thenRejects('WALLET_NOT_EMPTY', /still holds 1\.5 BTC/));

  it('refuses while a transfer is scheduled', () =>
    given([created(), deposited('BTC', '2'), scheduled('1', '2', '1')]).when(close).thenRejects('WALLET_NOT_EMPTY', /1 open transfer/));

  it('refuses while a transfer is in flight even with zero balances', () =>
    given([created(), deposited('BTC', '1'), debited('1', '0')]).when(close).thenRejects('WALLET_NOT_EMPTY', /open transfer/));

  it('refuses twice', () => given([created(), { type: 'WalletClosed', data: {} }]).when(close).thenRejects('WALLET_CLOSED'));
  it('needs the wallet to exist', () => given([]).when(close).thenRejects('WALLET_NOT_FOUND'));
});

describe('authorization', () => {
  const bobs = [created(BOB, 'Bob')];

  it.each([
    ['RenameWallet', command('RenameWallet', { name: 'Mine' })],
    ['CloseWallet', command('CloseWallet', {})],
    ['Deposit', command('Deposit', { asset: 'BTC', amount: '1' })],
    ['Withdraw', command('Withdraw', { asset: 'BTC', amount: '1' })],
    ['RequestTransfer', command('RequestTransfer', { transferId: TRANSFER, toWalletId: 'w-x', asset: 'BTC', amount: '1' })],
    ['CancelTransfer', command('CancelTransfer', { transferId: TRANSFER })],
    ['RescheduleTransfer', command('RescheduleTransfer', { transferId: TRANSFER, executeAt: NOW })],
  ] as const)('refuses %s on a wallet owned by someone else exactly as on a missing one (no existence oracle)', (_, cmd) => {
    given(bobs).when(cmd).thenRejects('WALLET_NOT_FOUND', /does not exist/);
    expect(given(bobs).when(cmd).decision).toEqual(given([]).when(cmd).decision);
  });

  it.each(['w.x', 'w x', '*', '', 'w'.repeat(65)])('refuses the wallet id %j, which no wallet can have (the API refuses it too)', (walletId) =>
    given([]).when(command('Deposit', { walletId, asset: 'BTC', amount: '1' })).thenRejects('WALLET_NOT_FOUND'));

  it('checks ownership before the wallet state: a stranger cannot tell that a wallet is closed', () =>
    given([...bobs, { type: 'WalletClosed', data: {} }]).when(command('RenameWallet', { name: 'Mine' })).thenRejects('WALLET_NOT_FOUND'));

  it('lets an admin act on any wallet', () =>
    given(bobs)
      .when(command('RenameWallet', { name: 'Audited' }, { actor: 'auditor', admin: true }))
      .then({ type: 'WalletRenamed', data: { name: 'Audited' } }));

  it('lets the system act on any wallet', () =>
    given(bobs).when(command('RenameWallet', { name: 'Sys' }, { actor: 'system' })).then({ type: 'WalletRenamed', data: { name: 'Sys' } }));

  it.each([
    ['ExecuteScheduledTransfer', command('ExecuteScheduledTransfer', { transferId: TRANSFER, executeAt: NOW })],
    ['CreditTransfer', command('CreditTransfer', { transferId: TRANSFER, fromWalletId: 'w-x', asset: 'BTC', amount: '1' })],
    ['CompleteTransfer', command('CompleteTransfer', { transferId: TRANSFER })],
    ['FailTransfer', command('FailTransfer', { transferId: TRANSFER, reason: 'no' })],
  ] as const)('keeps %s, a saga step, to the system, even for the owner or an admin', (_, cmd) => {
    given([created()]).when(cmd).thenRejects('FORBIDDEN', /system step/);
    given([created()]).when({ ...cmd, metadata: { ...cmd.metadata, actor: 'root', admin: true } }).thenRejects('FORBIDDEN');
  });

  it('reports a missing wallet to the system as not found', () =>
    given([]).when(command('CompleteTransfer', { transferId: TRANSFER }, system())).thenRejects('WALLET_NOT_FOUND'));
});
