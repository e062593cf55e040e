import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../src/app/command-handler.js';
import { registerDefaultCatalog } from '../../src/app/default-catalog.js';
import { createProcessor } from '../../src/app/processor.js';
import { createTransferSaga } from '../../src/app/transfer-saga.js';
import { createNatsJournal } from '../../src/infra/nats/journal.js';
import { createNatsOutcomeStore } from '../../src/infra/nats/outcome-store.js';
import { systemClock, systemIds } from '../../src/infra/system.js';
import type { Principal } from '../../src/app/ledger-app.js';
import { readJournal } from '../support/journal.js';
import { type TestStack, startTestStack, user } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const alice = user('alice');
const bob = user('bob');

describe('transfers between wallets', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Two schedulers, as in production: a due transfer must still run once.
    stack = await startTestStack({ roles: ['processor', 'projector', 'scheduler', 'scheduler'] });
  });
  afterAll(() => stack?.stop());

  const submit = (principal: Principal, command: Parameters<TestStack['app']['submit']>[0]['command'], consistency: 'DECIDED' | 'PROJECTED' = 'PROJECTED') =>
    stack.app.submit({ principal, command, consistency });
  const walletWith = async (owner: Principal, usd?: string) => {
    const created = await submit(owner, { type: 'CreateWallet', data: { name: `${owner.sub}'s` } });
    const walletId = created.walletId as string;
    if (usd) expect((await submit(owner, { type: 'Deposit', data: { walletId, asset: 'USD', amount: usd } })).state).toBe('ACCEPTED');
    return walletId;
  };
  const balance = async (walletId: string) => (await stack.app.read.balancesByWalletIds([walletId])).find((b) => b.asset === 'USD');
  const transferDone = (transferId: string, status = 'COMPLETED') =>
    waitFor(async () => {
      const [t] = await stack.app.read.transfersByIds([transferId]);
      return t && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(t.status) ? t : null;
    }, { timeoutMs: 15_000, message: `transfer ${transferId} never reached ${status}` });

  it('moves money now: debit, credit, complete', async () => {
    const from = await walletWith(alice, '100');
    const to = await walletWith(bob);
    const outcome = await submit(alice, { type: 'RequestTransfer', data: { walletId: from, toWalletId: to, asset: 'USD', amount: '30.5' } });
    expect(outcome).toMatchObject({ state: 'ACCEPTED', walletId: from });
    const transfer = await transferDone(outcome.transferId as string);
    expect(transfer).toMatchObject({ status: 'COMPLETED', fromWalletId: from, toWalletId: to, amount: '30.5', asset: 'USD' });
    await waitFor(async () => (await balance(to))?.total === '30.5');
    expect(await balance(from)).toMatchObject({ total: '69.5', reserved: '0', available: '69.5' });
    const outEntries = await stack.app.read.ledgerEntries({ walletId: from, first: 5 });
    expect(outEntries.items[0]).toMatchObject({ type: 'TRANSFER_OUT', amount: '30.5', transferId: outcome.transferId });
    const inEntries = await stack.app.read.ledgerEntries({ walletId: to, first: 5 });
    expect(inEntries.items[0]).toMatchObject({ type: 'TRANSFER_IN', amount: '30.5', totalAfter: '30.5' });
  });

  it('refuses what cannot move, with codes, changing nothing', async () => {
    const from = await walletWith(alice, '10');
    const to = await walletWith(bob);
    const closed = await walletWith(bob);
    await submit(bob, { type: 'CloseWallet', data: { walletId: closed } });
    const attempt = (data: { walletId: string; toWalletId: string; amount: string; asset?: string }, who = alice) =>
      submit(who, { type: 'RequestTransfer', data: { asset: 'USD', ...data } }, 'DECIDED');
    expect(await attempt({ walletId: from, toWalletId: to, amount: '10.01' })).toMatchObject({ state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' });
    expect(await attempt({ walletId: from, toWalletId: from, amount: '1' })).toMatchObject({ state: 'REJECTED', code: 'SAME_WALLET' });
    expect(await attempt({ walletId: from, toWalletId: closed, amount: '1' })).toMatchObject({ state: 'REJECTED', code: 'WALLET_CLOSED' });
    expect(await attempt({ walletId: from, toWalletId: 'no-such-wallet', amount: '1' })).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });
    expect(await attempt({ walletId: from, toWalletId: to, amount: '1', asset: 'XYZ' })).toMatchObject({ state: 'REJECTED', code: 'UNKNOWN_ASSET' });
    expect(await attempt({ walletId: from, toWalletId: to, amount: '0.001' })).toMatchObject({ state: 'REJECTED', code: 'INVALID_AMOUNT' });
    expect(await attempt({ walletId: from, toWalletId: to, amount: '1' }, bob)).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });
    expect(await balance(from)).toMatchObject({ total: '10', reserved: '0' });
    expect(await stack.app.read.transfersOfWallets([from])).toEqual([]);
  });

  it('refunds the source when the destination closes while the money is in flight', async () => {
    // A stack of its own without a running processor: we play processor and saga by hand, so the
    // destination can close between the debit and the credit.
    const manual = await startTestStack({ roles: ['projector'] });
    const journal = createNatsJournal(manual.nats.js, manual.nats.jsm, manual.topology);
    const outcomes = await createNatsOutcomeStore(manual.nats.nc);
    const handler = await createCommandHandler({ journal, clock: systemClock, ids: systemIds });
    const processor = createProcessor({ handler, outcomes });
    await registerDefaultCatalog({ processor, catalog: handler.catalog, clock: systemClock, ids: systemIds });
    const saga = createTransferSaga({ processor, clock: systemClock, ids: systemIds });
    try {
      const meta = (commandId: string, actor: string) => ({ commandId, correlationId: commandId, actor, admin: false, issuedAt: new Date().toISOString() });
      const run = async (command: Parameters<typeof processor.process>[0]) => expect((await processor.process(command)).state).toBe('ACCEPTED');
      await run({ type: 'CreateWallet', data: { walletId: 'src', ownerId: 'alice', name: 'src' }, metadata: meta('c1', 'alice') });
      await run({ type: 'CreateWallet', data: { walletId: 'dst', ownerId: 'bob', name: 'dst' }, metadata: meta('c2', 'bob') });
      await run({ type: 'Deposit', data: { walletId: 'src', asset: 'USD', amount: '50' }, metadata: meta('c3', 'alice') });
      await run({
        type: 'RequestTransfer',
        data: { walletId: 'src', transferId: 'refund-me', toWalletId: 'dst', asset: 'USD', amount: '20' },
        metadata: meta('c4', 'alice'),
      });
      await run({ type: 'CloseWallet', data: { walletId: 'dst' }, metadata: meta('c5', 'bob') });

      const debited = (await readJournal(manual.nats)).find((s) => s.event.type === 'TransferDebited');
      expect(debited).toBeDefined();
      // Twice: the second run (a redelivery after a crash) must not refund again.
      await saga.handle(debited!);
      await saga.handle(debited!);

      const transfer = await waitFor(async () => {
        const [t] = await manual.app.read.transfersByIds(['refund-me']);
        return t?.status === 'FAILED' ? t : null;
      });
      expect(transfer.failureReason).toMatch(/WALLET_CLOSED/);
      const refunds = (await readJournal(manual.nats)).filter((s) => s.event.type === 'TransferFailed');
      expect(refunds).toHaveLength(1);
      const entries = await waitFor(async () => {
        const page = await manual.app.read.ledgerEntries({ walletId: 'src', first: 1 });
        return page.items[0]?.type === 'TRANSFER_REFUND' ? page.items : null;
      });
      expect(entries[0]).toMatchObject({ type: 'TRANSFER_REFUND', amount: '20', totalAfter: '50', reservedAfter: '0' });
    } finally {
      await outcomes.close();
      await manual.stop();
    }
  });

  it('reserves a scheduled transfer and runs it within a second of its time', async () => {
    const from = await walletWith(alice, '100');
    const to = await walletWith(bob);
    const executeAt = new Date(Date.now() + 2_000);
    const outcome = await submit(alice, { type: 'RequestTransfer', data: { walletId: from, toWalletId: to, asset: 'USD', amount: '40', executeAt: executeAt.toISOString() } });
    expect(outcome.state).toBe('ACCEPTED');
    expect(await balance(from)).toMatchObject({ total: '100', reserved: '40', available: '60' });
    const [scheduled] = await stack.app.read.transfersByIds([outcome.transferId as string]);
    expect(scheduled).toMatchObject({ status: 'SCHEDULED', executeAt });
    // The reservation is real: what is reserved cannot be withdrawn meanwhile.
    const withdraw = await submit(alice, { type: 'Withdraw', data: { walletId: from, asset: 'USD', amount: '60.01' } }, 'DECIDED');
    expect(withdraw).toMatchObject({ state: 'REJECTED', code: 'INSUFFICIENT_FUNDS' });

    const done = await transferDone(outcome.transferId as string);
    expect(done.status).toBe('COMPLETED');
    const debitedAt = (await stack.app.read.ledgerEntries({ walletId: from, first: 1 })).items[0];
    expect(debitedAt?.type).toBe('TRANSFER_OUT');
    expect(debitedAt!.occurredAt.getTime() - executeAt.getTime()).toBeGreaterThanOrEqual(0);
    expect(debitedAt!.occurredAt.getTime() - executeAt.getTime()).toBeLessThan(1_000);
    await waitFor(async () => (await balance(to))?.total === '40');
    expect(await balance(from)).toMatchObject({ total: '60', reserved: '0' });
  });

  it('cancels and reschedules before it runs; only the source owner may', async () => {
    const from = await walletWith(alice, '100');
    const to = await walletWith(bob);
    const later = new Date(Date.now() + 60_000).toISOString();
    const { transferId } = await submit(alice, { type: 'RequestTransfer', data: { walletId: from, toWalletId: to, asset: 'USD', amount: '25', executeAt: later } });
    const id = transferId as string;
    expect(await submit(bob, { type: 'CancelTransfer', data: { walletId: from, transferId: id } }, 'DECIDED')).toMatchObject({ state: 'REJECTED', code: 'WALLET_NOT_FOUND' });

    const sooner = new Date(Date.now() + 30_000).toISOString();
    expect((await submit(alice, { type: 'RescheduleTransfer', data: { walletId: from, transferId: id, executeAt: sooner } })).state).toBe('ACCEPTED');
    expect((await stack.app.read.transfersByIds([id]))[0]?.executeAt?.toISOString()).toBe(sooner);

    expect((await submit(alice, { type: 'CancelTransfer', data: { walletId: from, transferId: id } })).state).toBe('ACCEPTED');
    expect((await stack.app.read.transfersByIds([id]))[0]?.status).toBe('CANCELLED');
    expect(await balance(from)).toMatchObject({ total: '100', reserved: '0', available: '100' });
    // Ended, not unknown: the answer says how it ended.
    const again = await submit(alice, { type: 'CancelTransfer', data: { walletId: from, transferId: id } }, 'DECIDED');
    expect(again).toMatchObject({ state: 'REJECTED', code: 'TRANSFER_NOT_CANCELLABLE', message: `transfer ${id} has already ended: CANCELLED` });
    const moved = await submit(alice, { type: 'RescheduleTransfer', data: { walletId: from, transferId: id, executeAt: sooner } }, 'DECIDED');
    expect(moved).toMatchObject({ state: 'REJECTED', code: 'TRANSFER_NOT_CANCELLABLE' });
    const unknown = await submit(alice, { type: 'CancelTransfer', data: { walletId: from, transferId: 'no-such-transfer' } }, 'DECIDED');
    expect(unknown).toMatchObject({ state: 'REJECTED', code: 'TRANSFER_NOT_FOUND' });
  });

  it('lets cancel race execution with exactly one winner each time', async () => {
    const from = await walletWith(alice, '1000');
    const to = await walletWith(bob);
    const rounds = 12;
    const results = await Promise.all(
      Array.from({ length: rounds }, async (_, i) => {
        const executeAt = new Date(Date.now() + 800 + i * 40);
        const { transferId } = await submit(alice, { type: 'RequestTransfer', data: { walletId: from, toWalletId: to, asset: 'USD', amount: '10', executeAt: executeAt.toISOString() } }, 'DECIDED');
        await waitFor(() => Date.now() >= executeAt.getTime() - 20 || null, { intervalMs: 5 });
        const cancel = await submit(alice, { type: 'CancelTransfer', data: { walletId: from, transferId: transferId as string } }, 'DECIDED');
        const final = await transferDone(transferId as string);
        // A cancel that lost the race names the transfer's fate (it already ran, or is running).
        if (cancel.state !== 'ACCEPTED') expect(cancel.code, cancel.message).toBe('TRANSFER_NOT_CANCELLABLE');
        return { cancelled: cancel.state === 'ACCEPTED', status: final.status };
      }),
    );
    for (const r of results) expect(r.status).toBe(r.cancelled ? 'CANCELLED' : 'COMPLETED');
    const completed = results.filter((r) => r.status === 'COMPLETED').length;
    const debits = (await readJournal(stack.nats)).filter((s) => s.event.type === 'TransferDebited' && s.event.walletId === from);
    expect(debits).toHaveLength(completed);
    await waitFor(async () => (await balance(to))?.total === String(completed * 10) || (completed === 0 && !(await balance(to))));
    expect(await balance(from)).toMatchObject({ total: String(1000 - completed * 10), reserved: '0' });
  });
});

describe('rescheduling racing execution', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor', 'projector', 'scheduler'] });
  });
  afterAll(() => stack?.stop());

  it('either moves the transfer or lets it run, never both, never twice', async () => {
    const submit = (command: Parameters<TestStack['app']['submit']>[0]['command'], consistency: 'DECIDED' | 'PROJECTED' = 'PROJECTED') =>
      stack.app.submit({ principal: alice, command, consistency });
    const from = (await submit({ type: 'CreateWallet', data: { name: 'from' } })).walletId as string;
    const to = (await submit({ type: 'CreateWallet', data: { name: 'to' } })).walletId as string;
    await submit({ type: 'Deposit', data: { walletId: from, asset: 'USD', amount: '100' } });
    const rounds = 10;
    const outcomes = await Promise.all(
      Array.from({ length: rounds }, async (_, i) => {
        const executeAt = new Date(Date.now() + 700 + i * 30);
        const { transferId } = await submit({ type: 'RequestTransfer', data: { walletId: from, toWalletId: to, asset: 'USD', amount: '1', executeAt: executeAt.toISOString() } }, 'DECIDED');
        await waitFor(() => Date.now() >= executeAt.getTime() - 15 || null, { intervalMs: 5 });
        const moved = await submit({ type: 'RescheduleTransfer', data: { walletId: from, transferId: transferId as string, executeAt: new Date(Date.now() + 1_500).toISOString() } }, 'DECIDED');
        return { transferId: transferId as string, moved: moved.state === 'ACCEPTED' };
      }),
    );
    // Whether moved or not, each transfer runs exactly once (a moved one a bit later).
    const final = await waitFor(async () => {
      const all = await stack.app.read.transfersByIds(outcomes.map((o) => o.transferId));
      return all.length === rounds && all.every((t) => t.status === 'COMPLETED') ? all : null;
    }, { timeoutMs: 15_000, message: 'not every transfer completed' });
    expect(final).toHaveLength(rounds);
    const debits = (await readJournal(stack.nats)).filter((s) => s.event.type === 'TransferDebited' && s.event.walletId === from);
    expect(debits).toHaveLength(rounds);
    await waitFor(async () => (await stack.app.read.balancesByWalletIds([to]))[0]?.total === String(rounds));
    expect((await stack.app.read.balancesByWalletIds([from]))[0]).toMatchObject({ total: String(100 - rounds), reserved: '0' });
  });
});

describe('a transfer that fell due while the scheduler was down', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ roles: ['processor', 'projector'] });
  });
  afterAll(() => stack?.stop());

  it('runs once the scheduler comes back', async () => {
    const submit = (command: Parameters<TestStack['app']['submit']>[0]['command']) => stack.app.submit({ principal: alice, command, consistency: 'PROJECTED' });
    const from = (await submit({ type: 'CreateWallet', data: { name: 'from' } })).walletId as string;
    const to = (await submit({ type: 'CreateWallet', data: { name: 'to' } })).walletId as string;
    await submit({ type: 'Deposit', data: { walletId: from, asset: 'BTC', amount: '1' } });
    const executeAt = new Date(Date.now() + 300);
    const { transferId } = await submit({ type: 'RequestTransfer', data: { walletId: from, toWalletId: to, asset: 'BTC', amount: '0.4', executeAt: executeAt.toISOString() } });

    await waitFor(() => Date.now() > executeAt.getTime() + 200 || null, { intervalMs: 20 });
    expect((await stack.app.read.transfersByIds([transferId as string]))[0]?.status).toBe('SCHEDULED');

    await stack.start('scheduler');
    const done = await waitFor(async () => {
      const [t] = await stack.app.read.transfersByIds([transferId as string]);
      return t?.status === 'COMPLETED' ? t : null;
    }, { timeoutMs: 10_000 });
    expect(done.toWalletId).toBe(to);
    await waitFor(async () => (await stack.app.read.balancesByWalletIds([to]))[0]?.total === '0.4');
    expect((await stack.app.read.balancesByWalletIds([from]))[0]).toMatchObject({ total: '0.6', reserved: '0' });
  });
});
